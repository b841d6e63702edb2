"""Two people closing, pausing, resuming or re-opening one case at the same moment: it happens
once, with one audit event, and the other is told what happened instead of a 500. Real threads
on their own PostgreSQL connections (mentoring/tests/concurrency.py)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.models import Case, ClosureReason
from mentoring.models import AuditEvent
from mentoring.tests.concurrency import run_together, signed_in_browsers
from mentors.services import close_case, resume_case

from .factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate


def _stale_pair(case):
    """The case as each person's page loaded it, before either of them pressed the button."""
    return Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)


def _one_refusal(outcomes):
    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    return errors[0].messages[0]


def _events(case, verb):
    return AuditEvent.objects.filter(verb=verb, object_id=str(case.pk)).count()


def test_two_people_closing_a_case_at_once_close_it_once(programme, lead, manager):
    case = CaseFactory(programme=programme, status=Case.Status.ACTIVE, started_on=TODAY() - timedelta(days=30))
    moved, completed = ClosureReason.objects.get(code="moved_away"), ClosureReason.objects.get(code="completed")
    first, second = _stale_pair(case)

    outcomes = run_together(lambda: close_case(first, reason=moved, by=lead),
                            lambda: close_case(second, reason=completed, by=manager))

    refusal = _one_refusal(outcomes)
    case.refresh_from_db()
    assert refusal == f"This case was already closed on {TODAY():%-d %b %Y} ({case.closure_reason.name})."
    assert case.status == Case.Status.CLOSED and _events(case, "case.closed") == 1


def test_two_people_pausing_a_case_at_once_pause_it_once(programme, lead, manager):
    case = CaseFactory(programme=programme, status=Case.Status.ACTIVE)
    first, second = _stale_pair(case)

    outcomes = run_together(lambda: first.pause(reason="In custody", by=lead),
                            lambda: second.pause(reason="In hospital", by=manager))

    refusal = _one_refusal(outcomes)
    case.refresh_from_db()
    assert refusal == f"This case was already paused on {TODAY():%-d %b %Y} ({case.pause_reason})."
    assert _events(case, "case.paused") == 1


def test_two_people_resuming_a_case_at_once_resume_it_once(programme, lead, manager):
    case = CaseFactory(programme=programme, status=Case.Status.PAUSED, paused_on=TODAY(), pause_reason="In custody")
    first, second = _stale_pair(case)

    outcomes = run_together(lambda: resume_case(first, by=lead), lambda: resume_case(second, by=manager))

    assert _one_refusal(outcomes) == "This case was already resumed."
    assert _events(case, "case.resumed") == 1


def _closed_case(programme):
    return CaseFactory(
        programme=programme, status=Case.Status.CLOSED, started_on=TODAY() - timedelta(days=90),
        ended_on=TODAY() - timedelta(days=10), closure_reason=ClosureReason.objects.get(code="disengaged"),
    )


def test_two_people_reopening_a_case_at_once_open_one_new_case(programme, lead, manager):
    case = _closed_case(programme)
    first, second = _stale_pair(case)

    # Both get past every check they make before they need the closed case's row.
    outcomes = run_together(lambda: first.reopen(by=lead), lambda: second.reopen(by=manager),
                            hold=Case.objects.filter(pk=case.pk))

    assert _one_refusal(outcomes) == f"This case was already re-opened: the new case started on {TODAY():%-d %b %Y}."
    assert Case.objects.filter(previous_case=case).count() == 1 and _events(case, "case.reopened") == 1


def test_two_leads_pressing_reopen_at_once_get_one_new_case_and_a_message_not_a_500(programme, lead, manager):
    case = _closed_case(programme)
    browsers = signed_in_browsers(lead, manager)
    url = reverse("clients:case_reopen", args=[case.pk])

    outcomes = run_together(*[lambda b=b: b.post(url, {"on": TODAY().isoformat()}) for b in browsers],
                            hold=Case.objects.filter(pk=case.pk))

    assert [o.error for o in outcomes] == [None, None]
    assert [o.value.status_code for o in outcomes] == [302, 302]
    assert Case.objects.filter(previous_case=case).count() == 1 and _events(case, "case.reopened") == 1
    pages = [b.get(o.value["Location"]).content.decode() for b, o in zip(browsers, outcomes, strict=True)]
    told = [p for p in pages if "This case was already re-opened: the new case started on" in p]
    assert len(told) == 1
    assert sum("A new case is open, linked to the earlier one" in p for p in pages) == 1


def test_two_leads_pressing_close_at_once_close_it_once_and_the_second_sees_it_closed(programme, lead, manager):
    case = CaseFactory(programme=programme, status=Case.Status.ACTIVE, started_on=TODAY() - timedelta(days=30))
    browsers = signed_in_browsers(lead, manager)
    url = reverse("clients:case_close", args=[case.pk])
    reason = ClosureReason.objects.get(code="completed")
    data = {"reason": reason.pk, "on": TODAY().isoformat(), "summary": "Settled in work."}

    outcomes = run_together(*[lambda b=b: b.post(url, data) for b in browsers], hold=Case.objects.filter(pk=case.pk))

    assert [o.error for o in outcomes] == [None, None]
    assert [o.value.status_code for o in outcomes] == [302, 302]
    assert _events(case, "case.closed") == 1
    pages = [b.get(o.value["Location"]).content.decode() for b, o in zip(browsers, outcomes, strict=True)]
    told = f"This case was already closed on {TODAY():%-d %b %Y} ({reason.name})."
    assert sum(told in p for p in pages) == 1
    assert sum("Case closed. Its mentors&#x27; allocations ended the same day." in p for p in pages) == 1
