from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import AuditEvent
from mentors import services
from mentors.models import Allocation, CaseMatchPreference, Mentor

from .factories import AllocationFactory, MentorFactory, TrainingFactory, WaitingCaseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _fill(programme, count):
    for n in range(count):
        mentor = MentorFactory(programmes=[programme])
        if n % 2:
            AllocationFactory(mentor=mentor, case=WaitingCaseFactory(programme=programme, status="active"))
        if n % 3 == 0:
            TrainingFactory(mentor=mentor, expires_on=TODAY() - timedelta(days=5))


def test_the_mentor_list_takes_a_fixed_number_of_queries(client, lead, programme, django_assert_max_num_queries):
    client.force_login(lead)
    url = reverse("mentors:mentor_list")
    _fill(programme, 3)
    # Session and user (2), roles and led programmes (2), count (1), the filter's programmes and
    # strengths (2), mentors with caseload and expired training as subqueries (1), their
    # programmes (1), the session save in a savepoint (3).
    with django_assert_max_num_queries(12):
        small = client.get(url)
    _fill(programme, 20)
    with django_assert_max_num_queries(12):
        large = client.get(url)
    assert small.status_code == large.status_code == 200


def test_a_lead_sees_only_the_mentors_in_their_programmes(client, lead, programme, other_programme):
    mine = MentorFactory(programmes=[programme], first_name="Minnie")
    MentorFactory(programmes=[other_programme], first_name="Faraway")
    client.force_login(lead)
    page = client.get(reverse("mentors:mentor_list")).content.decode()
    assert "Minnie" in page and "Faraway" not in page
    assert mine.pk


def test_the_mentor_list_shows_compliance_warnings_in_words(client, lead, programme):
    due = MentorFactory(programmes=[programme], first_name="Duesoon", dbs_renewal_due=TODAY() + timedelta(days=10))
    TrainingFactory(mentor=due, course="Safeguarding refresher", expires_on=TODAY() - timedelta(days=1))
    refreshed = MentorFactory(programmes=[programme], first_name="Refreshed")
    TrainingFactory(mentor=refreshed, course="Safeguarding refresher", completed_on=TODAY() - timedelta(days=800),
                    expires_on=TODAY() - timedelta(days=400))
    TrainingFactory(mentor=refreshed, course="Safeguarding refresher", completed_on=TODAY() - timedelta(days=20),
                    expires_on=TODAY() + timedelta(days=345))
    client.force_login(lead)
    response = client.get(reverse("mentors:mentor_list"), {"compliance": "warnings"})
    page = response.content.decode()
    assert f"DBS renewal due {due.dbs_renewal_due:%-d %b %Y}" in page
    assert "Training expired" in page
    assert "Refreshed" not in page


def test_a_mentor_sees_their_own_profile_read_only(client, mentor_user, alice, bob):
    client.force_login(mentor_user)
    page = client.get(reverse("mentors:mentor_detail", args=[alice.pk]))
    assert page.status_code == 200
    assert reverse("mentors:mentor_update", args=[alice.pk]) not in page.content.decode()
    assert client.get(reverse("mentors:mentor_detail", args=[bob.pk])).status_code == 404
    assert client.get(reverse("mentors:mentor_update", args=[alice.pk])).status_code == 403


def test_a_lead_adds_a_mentor_in_their_programme(client, lead, programme, housing):
    client.force_login(lead)
    response = client.post(reverse("mentors:mentor_create"), {
        "first_name": "Nadia", "last_name": "Newmentor", "mentor_type": "peer", "programmes": [programme.pk],
        "gender": "female", "areas": "Eastfield, Northtown, eastfield", "languages": "English, Urdu",
        "strengths": [housing.pk], "max_caseload": 4, "active": "on", "references_received": "on",
        "dbs_certificate_on": "2026-01-05", "dbs_renewal_due": "2029-01-05",
    })
    mentor = Mentor.objects.get(last_name="Newmentor")
    assert response.status_code == 302 and response["Location"] == reverse("mentors:mentor_detail", args=[mentor.pk])
    assert mentor.areas == ["Eastfield", "Northtown"] and mentor.languages == ["English", "Urdu"]
    assert list(mentor.programmes.all()) == [programme]


def test_a_lead_editing_a_mentor_keeps_the_programmes_they_do_not_lead(client, lead, programme, other_programme):
    mentor = MentorFactory(programmes=[programme, other_programme])
    client.force_login(lead)
    form = client.get(reverse("mentors:mentor_update", args=[mentor.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(programmes=[programme.pk], areas="Eastfield", languages="English", strengths=[],
                dbs_certificate_on=mentor.dbs_certificate_on.isoformat(), dbs_renewal_due=mentor.dbs_renewal_due.isoformat(),
                active="on", references_received="on", user="")
    data.pop("lived_experience")
    response = client.post(reverse("mentors:mentor_update", args=[mentor.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert set(mentor.programmes.all()) == {programme, other_programme}


def test_picking_a_suggestion_allocates_the_mentor_and_returns_to_the_board(client, lead, waiting_case, alice):
    client.force_login(lead)
    url = reverse("mentors:allocate", args=[waiting_case.pk])
    page = client.get(url)
    assert [s.mentor for s in page.context["suggestions"]] == [alice]
    response = client.post(url, {
        "allocate": "1", "mentor": alice.pk, "role": "lead", "started_on": TODAY().isoformat(), "lead_seen": "none",
        "next": reverse("mentors:allocation_board"),
    })
    assert response.status_code == 302 and response["Location"] == reverse("mentors:allocation_board")
    allocation = Allocation.objects.get(case=waiting_case)
    assert (allocation.mentor, allocation.role, allocation.override_reason) == (alice, "lead", "")


def test_choosing_a_mentor_outside_the_suggestions_needs_a_reason(client, lead, waiting_case, alice, programme):
    full = MentorFactory(programmes=[programme], first_name="Fullup", max_caseload=1)
    AllocationFactory(mentor=full, case=WaitingCaseFactory(programme=programme, status="active"))
    client.force_login(lead)
    url = reverse("mentors:allocate", args=[waiting_case.pk])
    data = {"allocate": "1", "mentor": full.pk, "role": "supporting", "started_on": TODAY().isoformat(),
            "lead_seen": "none"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "override_reason" in response.context["allocate_form"].errors
    assert response.context["allocate_form"]["role"].value() == "supporting"  # nothing typed is lost
    assert not Allocation.objects.filter(case=waiting_case).exists()
    response = client.post(url, {**data, "override_reason": "Worked with the family before"})
    assert response.status_code == 302
    assert Allocation.objects.get(case=waiting_case).override_reason == "Worked with the family before"


def _allocate(mentor, lead_seen, **extra):
    return {"allocate": "1", "mentor": mentor.pk, "role": "lead", "started_on": TODAY().isoformat(),
            "lead_seen": lead_seen, **extra}


def test_a_page_opened_before_someone_else_allocated_a_lead_does_not_replace_them(client, lead, waiting_case, bob, programme):
    dana = MentorFactory(programmes=[programme], first_name="Dana", last_name="Mentor")
    client.force_login(lead)
    url = reverse("mentors:allocate", args=[waiting_case.pk])
    page = client.get(url)
    assert page.context["allocate_form"]["lead_seen"].value() == "none"
    assert page.content.decode().count('name="lead_seen" value="none"') == 1 + len(page.context["suggestions"])
    danas = services.allocate_mentor(case=waiting_case, mentor=dana, by=lead)  # someone else, meanwhile

    response = client.post(url, _allocate(bob, "none", override_reason="Knows the family"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Since you opened this page, Dana Mentor was allocated as lead mentor. Check and allocate again." in html
    assert list(Allocation.objects.filter(case=waiting_case)) == [danas]
    form = response.context["allocate_form"]
    assert form["override_reason"].value() == "Knows the family" and form["mentor"].value() == str(bob.pk)
    assert form["lead_seen"].value() == str(danas.pk)
    # Pressed again, now that the page shows Dana, it replaces her as the lead meant to.
    assert client.post(url, _allocate(bob, str(danas.pk), override_reason="Knows the family")).status_code == 302
    assert services.current_lead(waiting_case).mentor == bob


def test_a_page_showing_a_lead_whose_allocation_ended_since_does_not_allocate(client, lead, waiting_case, alice, bob):
    allocation = AllocationFactory(case=waiting_case, mentor=alice)
    client.force_login(lead)
    services.end_allocation(allocation=allocation, on=TODAY(), reason="Client asked for a change", by=lead)

    response = client.post(reverse("mentors:allocate", args=[waiting_case.pk]), _allocate(bob, str(allocation.pk)))

    assert response.status_code == 200
    assert ("Since you opened this page, Alice Mentor&#x27;s allocation as lead mentor ended. "
            "Check and allocate again.") in response.content.decode()
    assert not Allocation.objects.filter(mentor=bob).exists()


def test_an_allocation_from_a_page_that_does_not_say_what_it_showed_is_refused(client, lead, waiting_case, alice):
    client.force_login(lead)
    data = _allocate(alice, "none")
    del data["lead_seen"]
    response = client.post(reverse("mentors:allocate", args=[waiting_case.pk]), data)
    assert response.status_code == 200
    assert "This page is out of date: check the mentors shown and allocate again." in response.content.decode()
    assert not Allocation.objects.filter(case=waiting_case).exists()


def test_ending_an_allocation_someone_else_ended_meanwhile_says_so(client, lead, waiting_case, alice):
    allocation = AllocationFactory(case=waiting_case, mentor=alice)
    client.force_login(lead)
    url = reverse("mentors:allocation_end", args=[allocation.pk])
    assert client.get(url).status_code == 200
    services.end_allocation(allocation=allocation, on=TODAY(), reason="Client moved away", by=lead)

    response = client.post(url, {"ended_on": TODAY().isoformat(), "reason": "Mentor moved on"}, follow=True)

    assert response.status_code == 200
    assert f"Alice Mentor&#x27;s allocation already ended on {TODAY():%-d %b %Y}." in response.content.decode()
    allocation.refresh_from_db()
    assert allocation.end_reason == "Client moved away"
    assert AuditEvent.objects.filter(verb="allocation.ended", object_id=str(allocation.pk)).count() == 1


def test_ending_an_allocation_already_due_to_end_keeps_the_first_end_date(client, lead, waiting_case, alice):
    from datetime import timedelta

    allocation = AllocationFactory(case=waiting_case, mentor=alice)
    client.force_login(lead)
    url = reverse("mentors:allocation_end", args=[allocation.pk])
    assert client.get(url).status_code == 200
    later = TODAY() + timedelta(days=14)
    services.end_allocation(allocation=allocation, on=later, reason="Mentor leaves at the end of the month", by=lead)

    response = client.post(url, {"ended_on": (TODAY() + timedelta(days=3)).isoformat(), "reason": "Sooner"},
                           follow=True)

    assert f"already due to end on {later:%-d %b %Y}" in response.content.decode()
    allocation.refresh_from_db()
    assert (allocation.ended_on, allocation.end_reason) == (later, "Mentor leaves at the end of the month")


def test_saving_preferences_re_ranks_the_suggestions(client, lead, waiting_case, programme, housing):
    MentorFactory(programmes=[programme], first_name="Aaron")
    helper = MentorFactory(programmes=[programme], first_name="Zena", strengths=[housing])
    client.force_login(lead)
    url = reverse("mentors:allocate", args=[waiting_case.pk])
    response = client.post(url, {"save_preferences": "1", "pref-needs": [housing.pk], "pref-mentor_gender": ""})
    assert response.status_code == 302
    assert list(CaseMatchPreference.objects.get(case=waiting_case).needs.all()) == [housing]
    assert client.get(url).context["suggestions"][0].mentor == helper


def test_the_board_lists_cases_to_allocate_with_three_suggestions(client, lead, programme, other_programme):
    waiting = WaitingCaseFactory(programme=programme)
    lost_lead = WaitingCaseFactory(programme=programme, status="active")
    AllocationFactory(case=lost_lead, mentor=MentorFactory(programmes=[programme]), ended_on=TODAY())
    allocated = WaitingCaseFactory(programme=programme, status="active")
    AllocationFactory(case=allocated, mentor=MentorFactory(programmes=[programme]))
    WaitingCaseFactory(programme=other_programme)
    MentorFactory.create_batch(4, programmes=[programme])
    client.force_login(lead)
    response = client.get(reverse("mentors:allocation_board"))
    rows = response.context["rows"]
    assert {case for case, _ in rows} == {waiting, lost_lead}
    assert all(len(suggestions) == 3 for _, suggestions in rows)


def test_ending_an_allocation_from_the_screen(client, lead, waiting_case, alice):
    allocation = AllocationFactory(case=waiting_case, mentor=alice)
    client.force_login(lead)
    url = reverse("mentors:allocation_end", args=[allocation.pk])
    response = client.post(url, {"ended_on": TODAY().isoformat(), "reason": "Client moved away"})
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert (allocation.ended_on, allocation.end_reason) == (TODAY(), "Client moved away")
    assert client.get(url).status_code == 404  # an ended allocation cannot be ended again


def test_bulk_reallocation_from_one_screen(client, lead, programme, alice, bob):
    cases = [WaitingCaseFactory(programme=programme, status="active") for _ in range(3)]
    for c in cases:
        AllocationFactory(case=c, mentor=alice)
    client.force_login(lead)
    url = reverse("mentors:mentor_reallocate", args=[alice.pk])
    form = client.get(url).context["form"]
    assert all(form[f"case_{c.pk}"].initial == str(bob.pk) for c in cases)
    data = {f"case_{c.pk}": str(bob.pk) for c in cases[:2]}
    data.update({f"case_{cases[2].pk}": "", "reason": "Long-term leave", "started_on": TODAY().isoformat(),
                 "mentor_status": "leave", "on_leave_until": (TODAY() + timedelta(days=60)).isoformat()})
    response = client.post(url, data)
    assert response.status_code == 302
    assert Allocation.objects.current().filter(mentor=bob).count() == 2
    assert Allocation.objects.current().filter(mentor=alice).count() == 1
    alice.refresh_from_db()
    assert alice.on_leave_until == TODAY() + timedelta(days=60)
    assert AuditEvent.objects.filter(verb="mentor.cases_reallocated", object_id=str(alice.pk)).exists()


def test_the_lead_home_shows_caseloads_and_top_suggestions(client, lead, waiting_case, alice):
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    assert "Matching and caseloads" in page
    assert "Suggested: <strong>Alice Mentor</strong>" in page


def _profile_data(form, **changes):
    """What the edit form would post back unchanged, with `changes` on top."""
    mentor = form.instance
    data = {k: v for k, v in form.initial.items() if v is not None and k != "lived_experience"}
    data.update(
        programmes=[p.pk for p in mentor.programmes.all()], areas=", ".join(mentor.areas),
        languages=", ".join(mentor.languages), strengths=[s.pk for s in mentor.strengths.all()],
        dbs_certificate_on=mentor.dbs_certificate_on.isoformat() if mentor.dbs_certificate_on else "",
        dbs_renewal_due=mentor.dbs_renewal_due.isoformat() if mentor.dbs_renewal_due else "",
        active="on", references_received="on",
    )
    data.update(changes)
    return data


def test_a_lead_cannot_link_a_mentor_to_another_sign_in_account(client, lead, alice, mentor_user):
    from mentoring.tests.factories import UserFactory

    fresh = UserFactory(username="fresh", role="mentor")
    client.force_login(lead)
    url = reverse("mentors:mentor_update", args=[alice.pk])
    form = client.get(url).context["form"]
    assert "user" not in form.fields
    assert 'name="user"' not in client.get(url).content.decode()

    response = client.post(url, _profile_data(form, user=fresh.pk, phone="07700 900123"))

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.user == mentor_user and alice.phone == "07700 900123"  # the rest of the edit is kept
    assert not AuditEvent.objects.filter(verb="mentor.sign_in_changed").exists()


def test_a_lead_adding_a_mentor_cannot_give_them_a_sign_in_account(client, lead, programme):
    from mentoring.tests.factories import UserFactory

    fresh = UserFactory(username="fresh", role="mentor")
    client.force_login(lead)
    response = client.post(reverse("mentors:mentor_create"), {
        "first_name": "Nadia", "last_name": "Newmentor", "mentor_type": "peer", "programmes": [programme.pk],
        "gender": "female", "max_caseload": 4, "active": "on", "user": fresh.pk,
    })
    assert response.status_code == 302
    assert Mentor.objects.get(last_name="Newmentor").user is None


def test_a_manager_linking_a_mentor_to_a_sign_in_account_is_audited(client, manager, alice, mentor_user):
    from mentoring.tests.factories import UserFactory

    fresh = UserFactory(username="fresh", role="mentor")
    client.force_login(manager)
    url = reverse("mentors:mentor_update", args=[alice.pk])
    form = client.get(url).context["form"]
    assert "user" in form.fields

    response = client.post(url, _profile_data(form, user=fresh.pk))

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.user == fresh
    event = AuditEvent.objects.get(verb="mentor.sign_in_changed")
    assert (event.user, event.object_id) == (manager, str(alice.pk))
    assert event.detail == {"previous_user": mentor_user.pk, "new_user": fresh.pk}


def test_the_board_proposes_every_waiting_case_and_the_lead_changes_one_before_confirming(client, lead, programme, alice, bob):
    first = WaitingCaseFactory(programme=programme, client__area="Eastfield")
    second = WaitingCaseFactory(programme=programme)
    alice.areas = ["Eastfield"]
    alice.max_caseload = bob.max_caseload = 1
    alice.save()
    bob.save()
    client.force_login(lead)
    board = client.get(reverse("mentors:allocation_board")).content.decode()
    assert "Propose allocations for all waiting cases" in board
    page = client.get(reverse("mentors:allocation_proposal"))
    form = page.context["form"]
    assert {p.case: p.match.mentor for p in form.proposals} == {first: alice, second: bob}
    assert "score" not in page.content.decode()
    # The lead swaps the pair round and confirms.
    data = {"shown": form["shown"].value(), f"case_{first.pk}": bob.pk, f"case_{second.pk}": alice.pk}
    response = client.post(reverse("mentors:allocation_proposal"), data, follow=True)
    assert "2 cases allocated." in response.content.decode()
    assert {a.case: a.mentor for a in Allocation.objects.current()} == {first: bob, second: alice}


def test_confirming_a_proposal_after_the_waiting_list_changed_allocates_nothing(client, lead, programme, alice, bob):
    first = WaitingCaseFactory(programme=programme)
    second = WaitingCaseFactory(programme=programme)
    client.force_login(lead)
    shown = client.get(reverse("mentors:allocation_proposal")).context["form"]["shown"].value()
    services.allocate_mentor(case=first, mentor=bob, by=lead)
    data = {"shown": shown, f"case_{first.pk}": alice.pk, f"case_{second.pk}": alice.pk}
    page = client.post(reverse("mentors:allocation_proposal"), data)
    assert "The cases waiting have changed since this proposal was shown: nothing was allocated." in page.content.decode()
    assert list(Allocation.objects.values_list("case", "mentor")) == [(first.pk, bob.pk)]


def test_help_text_under_a_select_names_its_no_preference_option_instead_of_leave_blank(client, lead, manager, waiting_case):
    client.force_login(lead)
    page = client.get(reverse("mentors:allocate", args=[waiting_case.pk])).content.decode()
    assert ">No preference</option>" in page and "Choose “No preference” if any gender will do." in page
    assert "Leave blank" not in page
    client.force_login(manager)
    page = client.get(reverse("mentors:mentor_create")).content.decode()
    assert ">No account</option>" in page and "Choose “No account” for a mentor without one." in page
    assert "Leave empty" not in page and "Choose…</option>" not in page.split('name="user"')[1].split("</select>")[0]
