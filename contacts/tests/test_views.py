import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import Activity, Attendance, Contact, FundingSource, GroupSession, Mode, SupportSpend
from mentoring.models import AuditEvent

from .factories import ContactFactory, allocated_case

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    today = timezone.localdate()
    data = {
        "date": today.isoformat(), "start_time": "14:30", "duration_minutes": "45", "mode": Mode.FACE_TO_FACE,
        "attendance": Attendance.ATTENDED, "activities": [], "location": "", "notes": "", "next_steps": "",
        "follow_up_on": "",
    }
    data.update(overrides)
    return data


def test_logging_a_contact_records_it_with_defaults_and_goes_back(client, mentor_user, alice, case):
    client.force_login(mentor_user)
    job_search = Activity.objects.get(code="job_search")
    response = client.post(
        reverse("contacts:contact_create", args=[case.pk]),
        _form_data(activities=[job_search.pk], notes="Looked at warehouse jobs", next="/"),
    )
    assert response.status_code == 302 and response["Location"] == "/"
    contact = Contact.objects.get(case=case, notes="Looked at warehouse jobs")
    assert contact.mentor == alice and contact.created_by == mentor_user
    assert list(contact.activities.all()) == [job_search]
    assert AuditEvent.objects.filter(verb="contact.logged", object_id=str(contact.pk)).exists()


def test_the_form_starts_with_today_now_face_to_face_and_attended(client, mentor_user, case):
    client.force_login(mentor_user)
    html = client.get(reverse("contacts:contact_create", args=[case.pk])).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert 'value="face_to_face" class="btn-check" required id="id_mode_0" checked' in html or (
        'id="id_mode_0" checked' in html
    )
    assert 'id="id_attendance_0" checked' in html
    # How long is one question: the usual lengths to tap, an hour chosen until another is.
    assert 'id="id_duration_minutes_1" value="30" autocomplete="off">' in html
    assert 'id="id_duration_minutes_3" value="60" autocomplete="off" checked>' in html


def test_next_pointing_elsewhere_is_ignored(client, mentor_user, case):
    client.force_login(mentor_user)
    response = client.post(reverse("contacts:contact_create", args=[case.pk]),
                           _form_data(next="https://evil.example/phish"))
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_invalid_submission_keeps_every_typed_value(client, mentor_user, case):
    client.force_login(mentor_user)
    tomorrow = timezone.localdate() + timedelta(days=1)
    cv = Activity.objects.get(code="cv_building")
    housing = Activity.objects.get(code="housing")
    follow_up = (timezone.localdate() + timedelta(days=9)).isoformat()
    response = client.post(reverse("contacts:contact_create", args=[case.pk]), _form_data(
        date=tomorrow.isoformat(), start_time="09:05", duration_minutes="75", mode=Mode.PHONE,
        attendance=Attendance.CANCELLED_BY_CLIENT, activities=[cv.pk, housing.pk], location="job_centre",
        notes="Talked through the CV & the gap years", next_steps="Bring birth certificate", follow_up_on=follow_up,
    ))
    assert response.status_code == 200
    html = response.content.decode()
    assert not Contact.objects.filter(case=case, notes__startswith="Talked").exists()
    # The summary at the top links to the field; the message sits next to it too.
    assert 'href="#id_date"' in html and html.count("A contact cannot be in the future") == 2
    assert f'value="{tomorrow.isoformat()}"' in html
    assert 'value="09:05"' in html and 'value="75"' in html
    assert 'value="phone" class="btn-check"' in html and 'id="id_mode_1" checked' in html
    assert 'value="cancelled_by_client"' in html and 'id="id_attendance_2" checked' in html
    for activity in (cv, housing):
        assert f'value="{activity.pk}" class="btn-check" id=' in html
    # 75 minutes is not one of the usual lengths: "Other" is chosen, with 75 in its box.
    assert 'id="id_duration_minutes_other" value="other" autocomplete="off" checked>' in html
    assert html.count("checked") == 5  # mode, attendance, duration and the two activities
    # The date is wrong, so its folded part is open; the support spend, left blank, stays folded.
    assert re.search(r'<details class="form-fold mb-3" open>\s*<summary>Date, time, place and next steps', html)
    assert re.search(r'<details class="form-fold mb-3">\s*<summary>Support spend', html)
    assert '<option value="job_centre" selected>' in html
    assert "Talked through the CV &amp; the gap years" in html and "Bring birth certificate" in html
    assert f'value="{follow_up}"' in html


def test_mentor_cannot_log_against_a_case_without_a_current_allocation(client, mentor_user, alice, bob, programme):
    ended = allocated_case(alice, programme, ended_on=timezone.localdate() - timedelta(days=1))
    bobs = allocated_case(bob, programme)
    client.force_login(mentor_user)
    for case in (ended, bobs):
        assert client.get(reverse("contacts:contact_create", args=[case.pk])).status_code == 404
        assert client.post(reverse("contacts:contact_create", args=[case.pk]), _form_data()).status_code == 404
        assert client.post(reverse("contacts:contact_missed", args=[case.pk])).status_code == 404
    assert not Contact.objects.exists()


def test_didnt_attend_records_a_missed_appointment_today(client, mentor_user, alice, case):
    client.force_login(mentor_user)
    response = client.post(reverse("contacts:contact_missed", args=[case.pk]), {"next": "/", "mode": Mode.PHONE},
                           follow=True)
    contact = Contact.objects.get(case=case)
    assert contact.attendance == Attendance.DID_NOT_ATTEND and contact.date == timezone.localdate()
    assert contact.mentor == alice
    page = response.content.decode()
    assert "did not attend today" in page and reverse("contacts:contact_update", args=[contact.pk]) in page


def test_didnt_attend_needs_a_post(client, mentor_user, case):
    client.force_login(mentor_user)
    assert client.get(reverse("contacts:contact_missed", args=[case.pk])).status_code == 405


def test_group_session_creates_an_attended_contact_for_each_client_present(client, mentor_user, alice, programme):
    present = [allocated_case(alice, programme) for _ in range(3)]
    absent = allocated_case(alice, programme)
    workshop = Activity.objects.get(code="employability")
    client.force_login(mentor_user)
    response = client.post(reverse("contacts:group_session_create"), {
        "title": "Employability workshop", "date": timezone.localdate().isoformat(), "start_time": "10:00",
        "duration_minutes": "120", "location": "community_venue", "programme": programme.pk,
        "cases": [c.pk for c in present], "activities": [workshop.pk], "notes": "Mock interviews",
    })
    assert response.status_code == 302
    session = GroupSession.objects.get()
    contacts = Contact.objects.filter(group_session=session)
    assert sorted(contacts.values_list("case_id", flat=True)) == sorted(c.pk for c in present)
    assert all(c.attendance == Attendance.ATTENDED and c.mode == Mode.GROUP and c.is_attended for c in contacts)
    assert all(list(c.activities.all()) == [workshop] for c in contacts)
    assert not Contact.objects.filter(case=absent).exists()
    assert Contact.objects.attended().filter(group_session=session).count() == 3


def test_group_session_refuses_a_client_from_another_programme(client, mentor_user, alice, programme, other_programme):
    here = allocated_case(alice, programme)
    alice.programmes.add(other_programme)
    there = allocated_case(alice, other_programme)
    client.force_login(mentor_user)
    response = client.post(reverse("contacts:group_session_create"), {
        "title": "Boxing", "date": timezone.localdate().isoformat(), "programme": programme.pk,
        "cases": [here.pk, there.pk],
    })
    assert response.status_code == 200 and "A session belongs to one programme" in response.content.decode()
    assert not GroupSession.objects.exists() and not Contact.objects.exists()


def test_a_concurrent_edit_is_refused(client, mentor_user, lead, alice, case):
    contact = ContactFactory(case=case, mentor=alice, created_by=mentor_user, notes="First notes")
    url = reverse("contacts:contact_update", args=[contact.pk])
    # Both open the form at version 1; the lead saves first.
    client.force_login(lead)
    assert client.post(url, _form_data(date=contact.date.isoformat(), notes="Lead's notes", version="1")).status_code == 302
    client.force_login(mentor_user)
    response = client.post(url, _form_data(date=contact.date.isoformat(), notes="Mentor's notes", version="1"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this contact while you were editing" in html
    assert "Lead&#x27;s notes" in html and "Mentor&#x27;s notes" in html  # theirs shown, yours kept
    assert 'name="version" value="2"' in html
    contact.refresh_from_db()
    assert contact.notes == "Lead's notes" and contact.version == 2


def test_a_stale_version_is_refused_by_the_conditional_update(mentor_user, alice, case):
    contact = ContactFactory(case=case, mentor=alice)
    Contact.objects.filter(pk=contact.pk).update(version=5)
    contact.notes = "stale"
    with pytest.raises(services.StaleContact) as refused:
        services.update_contact(contact=contact, version=4, save_m2m=lambda: None, by=mentor_user)
    assert refused.value.current.version == 5
    contact.refresh_from_db()
    assert contact.notes == ""


def test_edits_are_in_the_change_history(client, mentor_user, alice, case):
    contact = ContactFactory(case=case, mentor=alice, created_by=mentor_user)
    client.force_login(mentor_user)
    client.post(reverse("contacts:contact_update", args=[contact.pk]),
                _form_data(date=contact.date.isoformat(), notes="Corrected", version="1"))
    contact.refresh_from_db()
    assert contact.notes == "Corrected" and contact.version == 2
    entry = LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert "notes" in entry.changes_dict
    assert AuditEvent.objects.filter(verb="contact.edited", object_id=str(contact.pk)).exists()


def test_a_mentor_cannot_edit_a_contact_after_seven_days_but_the_lead_can(client, mentor_user, lead, alice, case):
    contact = ContactFactory(case=case, mentor=alice, created_by=mentor_user,
                             created_at=timezone.now() - timedelta(days=8), notes="Old")
    url = reverse("contacts:contact_update", args=[contact.pk])
    client.force_login(mentor_user)
    page = client.get(url)
    assert page.status_code == 200 and "This contact is read-only" in page.content.decode()
    assert 'name="version"' not in page.content.decode()
    assert client.post(url, _form_data(date=contact.date.isoformat(), notes="New", version="1")).status_code == 403
    client.force_login(lead)
    assert client.post(url, _form_data(date=contact.date.isoformat(), notes="New", version="1")).status_code == 302
    contact.refresh_from_db()
    assert contact.notes == "New"


def test_a_mentor_cannot_edit_another_mentors_contact_on_a_shared_case(client, mentor_user, bob, case):
    contact = ContactFactory(case=case, mentor=bob, created_by=bob.user)
    client.force_login(mentor_user)
    page = client.get(reverse("contacts:contact_update", args=[contact.pk]))
    assert "This contact is read-only" in page.content.decode()


def test_logging_an_attended_contact_closes_earlier_follow_ups(client, mentor_user, alice, case):
    earlier = ContactFactory(case=case, mentor=alice, follow_up_on=timezone.localdate() - timedelta(days=1))
    client.force_login(mentor_user)
    client.post(reverse("contacts:contact_missed", args=[case.pk]), {"mode": Mode.FACE_TO_FACE})
    assert Contact.objects.filter(case=case, attendance=Attendance.DID_NOT_ATTEND).exists()
    earlier.refresh_from_db()
    assert not earlier.follow_up_done  # a missed appointment is not the follow-up
    # save_anyway: should the clock read 14:30, the missed appointment is not taken for this one.
    client.post(reverse("contacts:contact_create", args=[case.pk]), _form_data(save_anyway="on"))
    earlier.refresh_from_db()
    assert earlier.follow_up_done


def test_support_spend_is_recorded_and_totalled_per_programme(client, mentor_user, lead, alice, case, programme):
    client.force_login(mentor_user)
    url = reverse("contacts:spend_create", args=[case.pk])
    for amount, category in (("12.50", "travel"), ("45.00", "work_clothing")):
        response = client.post(url, {"spent_on": timezone.localdate().isoformat(), "category": category,
                                     "amount": amount, "funding_source": FundingSource.objects.get(code="hardship_fund").pk})
        assert response.status_code == 302
    assert SupportSpend.objects.filter(case=case).count() == 2
    client.force_login(lead)
    html = client.get(reverse("reports:spend_list")).content.decode()  # the page moved to reports
    assert programme.name in html and "£57.50" in html and "Travel or taxi: £12.50" in html
    contacts_page = client.get(reverse("contacts:case_contacts", args=[case.pk])).content.decode()
    assert "Support spend on this case: £57.50" in contacts_page


@pytest.mark.parametrize("amount", ["0", "0.00", "-5"])
def test_support_spend_refuses_an_amount_of_nothing_or_less_and_keeps_what_was_typed(client, mentor_user, case, amount):
    client.force_login(mentor_user)
    response = client.post(reverse("contacts:spend_create", args=[case.pk]), {
        "spent_on": timezone.localdate().isoformat(), "category": "travel", "amount": amount,
        "notes": "Bus to the jobcentre"})
    assert response.status_code == 200
    assert "Enter an amount more than £0, for example 12.50." in response.content.decode()
    assert 'value="Bus to the jobcentre"' in response.content.decode()
    assert not SupportSpend.objects.filter(case=case).exists()


def test_support_spend_message_keeps_acronyms_as_written(client, mentor_user, case):
    client.force_login(mentor_user)
    for category, words in (("work_clothing", "for work boots, clothing and PPE recorded"),
                            ("id_documents", "for ID documents recorded"), ("travel", "for travel or taxi recorded")):
        response = client.post(reverse("contacts:spend_create", args=[case.pk]), {
            "spent_on": timezone.localdate().isoformat(), "category": category, "amount": "9.99"}, follow=True)
        assert words in response.content.decode()


def test_support_spend_is_paid_from_the_organisations_list_of_funding_sources(client, mentor_user, case):
    grant = FundingSource.objects.create(code="lottery", name="Lottery grant", order=5)
    FundingSource.objects.create(code="old_fund", name="Old fund", active=False)
    client.force_login(mentor_user)
    url = reverse("contacts:spend_create", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Programme budget" in page and "Hardship fund" in page and "Lottery grant" in page
    assert "Old fund" not in page  # retired: no longer offered
    client.post(url, {"spent_on": timezone.localdate().isoformat(), "category": "travel", "amount": "4.20",
                      "funding_source": grant.pk})
    assert SupportSpend.objects.get(case=case).funding_source == grant


def test_goals_are_added_and_reviewed(client, mentor_user, case):
    client.force_login(mentor_user)
    response = client.post(reverse("contacts:goal_create", args=[case.pk]), {
        "description": "Get my CSCS card", "area": "education_employment",
        "target_on": (timezone.localdate() + timedelta(days=30)).isoformat(), "steps": "Book the test",
        "status": "open",
    })
    assert response.status_code == 302
    goal = case.goals.get()
    assert goal.area_name == "Work and learning"
    response = client.post(reverse("contacts:goal_update", args=[goal.pk]), {
        "description": goal.description, "area": goal.area, "status": "achieved",
        "reviewed_on": timezone.localdate().isoformat(), "version": goal.version,
    })
    goal.refresh_from_db()
    assert response.status_code == 302 and goal.status == "achieved"


def test_case_contacts_are_filtered_and_exported_safely_for_the_lead(client, lead, alice, case):
    ContactFactory(case=case, mentor=alice, mode=Mode.PHONE, next_steps="=HYPERLINK(\"http://x\")")
    ContactFactory(case=case, mentor=alice, mode=Mode.FACE_TO_FACE, next_steps="Meet at the Job Centre")
    client.force_login(lead)
    page = client.get(reverse("contacts:case_contacts", args=[case.pk]), {"mode": "phone"}).content.decode()
    assert page.count("<tr") == 2  # header and the one phone contact
    response = client.get(reverse("contacts:case_contacts_csv", args=[case.pk]))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in text and "Meet at the Job Centre" in text
    assert AuditEvent.objects.filter(verb="case.contacts_exported", action="export").exists()
    filtered = client.get(reverse("contacts:case_contacts_csv", args=[case.pk]), {"mode": "phone"}).content.decode()
    assert "Meet at the Job Centre" not in filtered


def test_a_mentor_may_not_export_contacts(client, mentor_user, case):
    client.force_login(mentor_user)
    assert client.get(reverse("contacts:case_contacts_csv", args=[case.pk])).status_code == 403


def test_a_refused_spend_form_shows_one_there_is_a_problem_summary_linking_to_each_field(client, mentor_user, case):
    client.force_login(mentor_user)
    response = client.post(reverse("contacts:spend_create", args=[case.pk]),
                           {"spent_on": timezone.localdate().isoformat(), "category": "travel", "amount": "",
                            "notes": "Bus to the job centre"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('id="error-summary"') == 1
    assert "There is a problem" in html
    assert 'href="#id_amount"' in html.split('id="error-summary"')[1].split("</div>")[0]
    assert "Bus to the job centre" in html  # what was typed is kept
