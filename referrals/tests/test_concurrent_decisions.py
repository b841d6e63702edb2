"""Two people deciding one referral at the same moment: one decision, one case, a clear word
to the other. Real threads on their own PostgreSQL connections (mentoring/tests/concurrency.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.models import Case
from mentoring.models import AuditEvent
from mentoring.tests.concurrency import run_together, signed_in_browsers
from referrals.models import Referral

from .factories import ReferralFactory

pytestmark = pytest.mark.django_db(transaction=True)

DECISIONS = {
    "accept": lambda referral, by: referral.accept(by=by),
    "decline": lambda referral, by: referral.decline(reason="Lives outside the area", by=by),
    "withdraw": lambda referral, by: referral.withdraw(reason="Moved away", by=by),
}


@pytest.mark.parametrize("decision", DECISIONS)
def test_two_leads_deciding_one_referral_at_once_record_one_decision(decision, programme, lead, manager):
    referral = ReferralFactory(programme=programme, client__first_name="Mina", client__last_name="Mycase")
    # Each person's page loaded the referral while it was still pending.
    seen_by_lead, seen_by_manager = Referral.objects.get(pk=referral.pk), Referral.objects.get(pk=referral.pk)
    act = DECISIONS[decision]

    outcomes = run_together(lambda: act(seen_by_lead, lead), lambda: act(seen_by_manager, manager))

    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    referral.refresh_from_db()
    winner = "Charlie Lead" if referral.decided_by == lead else "Erin Manager"
    verb = {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn"}[decision]
    today = f"{timezone.localdate():%-d %b %Y}"
    assert errors[0].messages == [f"This referral was already {verb} by {winner} on {today}."]
    assert AuditEvent.objects.filter(verb=f"referral.{verb}", object_id=str(referral.pk)).count() == 1
    assert Case.objects.filter(client=referral.client).count() == (1 if decision == "accept" else 0)


def test_two_leads_pressing_accept_at_once_open_one_case_and_the_second_is_told_where_it_is(
    programme, lead, manager
):
    referral = ReferralFactory(programme=programme, client__first_name="Mina", client__last_name="Mycase")
    browsers = signed_in_browsers(lead, manager)
    url = reverse("referrals:referral_decide", args=[referral.pk])
    data = {"decision": "accept", "on": timezone.localdate().isoformat()}

    # Both requests get as far as they can before they need the referral's row.
    outcomes = run_together(*[lambda b=b: b.post(url, data) for b in browsers],
                            hold=Referral.objects.filter(pk=referral.pk))

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.value.status_code for o in outcomes) == [302, 302]
    assert Case.objects.filter(client=referral.client).count() == 1
    assert AuditEvent.objects.filter(verb="referral.accepted", object_id=str(referral.pk)).count() == 1
    referral.refresh_from_db()
    loser = browsers[1] if referral.decided_by == lead else browsers[0]
    winner = "Charlie Lead" if referral.decided_by == lead else "Erin Manager"
    lost = [o.value for o in outcomes if o.value["Location"] == reverse("referrals:referral_detail", args=[referral.pk])]
    assert len(lost) == 1
    page = loser.get(lost[0]["Location"]).content.decode()
    assert f"This referral was already accepted by {winner} on {timezone.localdate():%-d %b %Y}." in page
    assert f'<a href="{reverse("clients:client_detail", args=[referral.client_id])}">The case is here.</a>' in page
