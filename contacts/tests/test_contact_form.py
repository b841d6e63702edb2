"""The log-a-contact form shaped for a phone: how long asked once, the programme's usual
activities first with the rest folded, the rarely changed parts folded, support spend recorded
in the same submit, and a notes box the phone keyboard can dictate into."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity, Attendance, Contact, FundingSource, Mode, SupportSpend
from mentoring.models import AuditEvent
from mentoring.tests.factories import ProgrammeFactory

from .factories import ContactFactory, allocated_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _post(client, case, **overrides):
    data = {
        "date": TODAY().isoformat(), "start_time": "10:00", "duration_minutes": "45", "mode": Mode.FACE_TO_FACE,
        "attendance": Attendance.ATTENDED, "notes": "Went through the bus timetable",
    }
    data.update(overrides)
    return client.post(reverse("contacts:contact_create", args=[case.pk]), data)


def _form_page(client, case):
    return client.get(reverse("contacts:contact_create", args=[case.pk])).content.decode()


def test_support_spend_typed_with_a_contact_is_saved_on_its_case_and_day(client, mentor_user, case):
    hardship = FundingSource.objects.create(code="hardship", name="Hardship fund")
    client.force_login(mentor_user)
    yesterday = TODAY() - timedelta(days=1)
    response = _post(client, case, date=yesterday.isoformat(), spend_amount="12.50", spend_category="travel",
                     spend_funding_source=hardship.pk, spend_notes="Taxi to the interview")
    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    spend = SupportSpend.objects.get(case=case)
    assert (spend.amount, spend.category, spend.spent_on) == (12.5, "travel", yesterday)
    assert (spend.funding_source, spend.notes, spend.recorded_by) == (hardship, "Taxi to the interview", mentor_user)
    assert AuditEvent.objects.filter(verb="support_spend.recorded", object_id=str(spend.pk)).exists()
    assert contact.duration_minutes == 45
    told = [str(m) for m in response.wsgi_request._messages]
    assert "Support spend of £12.50 for travel or taxi recorded." in told[0]


def test_a_spend_amount_without_what_it_was_spent_on_saves_nothing_and_says_what_is_missing(
    client, mentor_user, case
):
    client.force_login(mentor_user)
    response = _post(client, case, spend_amount="8")
    assert response.status_code == 200
    assert not Contact.objects.filter(case=case).exists() and not SupportSpend.objects.exists()
    html = response.content.decode()
    assert "Choose what the money was spent on" in html
    # The typed amount is kept, and the support spend part is open to show it.
    assert 'value="8"' in html
    assert re.search(r'<details class="form-fold mb-3" open>\s*<summary>Support spend', html)


def test_a_contact_with_the_support_spend_left_blank_records_no_spend(client, mentor_user, case):
    client.force_login(mentor_user)
    assert _post(client, case).status_code == 302
    assert Contact.objects.filter(case=case).count() == 1 and not SupportSpend.objects.exists()


def test_a_length_typed_under_other_is_saved_as_typed(client, mentor_user, case):
    client.force_login(mentor_user)
    assert _post(client, case, duration_minutes="other", duration_minutes_other="75").status_code == 302
    assert Contact.objects.get(case=case).duration_minutes == 75


def test_other_with_no_minutes_typed_asks_for_them_and_saves_nothing(client, mentor_user, case):
    client.force_login(mentor_user)
    response = _post(client, case, duration_minutes="other", duration_minutes_other="")
    assert response.status_code == 200 and not Contact.objects.filter(case=case).exists()
    assert "Type how many minutes, or choose one of the usual lengths" in response.content.decode()


def test_the_programmes_usual_activities_come_first_and_the_rest_are_folded(client, mentor_user, case, alice):
    custody_visit = Activity.objects.get(code="custody_visit")  # last in the list's own order but one
    for _ in range(3):
        ContactFactory(case=case).activities.add(custody_visit)
    # Another programme's habits do not count for this one.
    elsewhere = allocated_case(alice, ProgrammeFactory(code="elsewhere", name="Elsewhere"))
    creative = Activity.objects.get(code="creative_music")
    for _ in range(5):
        ContactFactory(case=elsewhere).activities.add(creative)
    client.force_login(mentor_user)
    html = _form_page(client, case)
    on_show, folded = html.split("More activities (")
    assert "Custody visit" in on_show and "Creative and music" not in on_show
    assert "Creative and music" in folded
    assert re.search(r'<details class="more-activities mt-2">\s*<summary>', html)  # folded while none is chosen


def test_a_chosen_activity_behind_more_keeps_its_fold_open(client, mentor_user, case):
    creative = Activity.objects.get(code="creative_music")
    client.force_login(mentor_user)
    response = _post(client, case, date=(TODAY() + timedelta(days=1)).isoformat(), activities=[creative.pk])
    assert response.status_code == 200  # refused for the future date; what was chosen stays in sight
    assert re.search(r'<details class="more-activities mt-2" open>', response.content.decode())


def test_the_notes_box_is_plain_text_the_phone_keyboard_can_dictate_into(client, mentor_user, case):
    client.force_login(mentor_user)
    notes = re.search(r"<textarea[^>]*name=\"notes\"[^>]*>", _form_page(client, case)).group(0)
    assert 'spellcheck="true"' in notes and 'autocapitalize="sentences"' in notes
    assert "readonly" not in notes and 'inputmode="none"' not in notes and "disabled" not in notes


def test_what_every_contact_needs_comes_before_what_is_folded(client, mentor_user, case):
    client.force_login(mentor_user)
    html = _form_page(client, case)
    order = [html.index(marker) for marker in (
        'name="attendance"', 'name="mode"', 'name="duration_minutes"', 'name="activities"', 'name="notes"',
        "Date, time, place and next steps", 'name="date"', "Support spend", "Save contact",
    )]
    assert order == sorted(order)
