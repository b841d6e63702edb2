"""Real Chromium at 360x740: a mentor logs a contact from the caseload in one submit."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from mentoring.models import Role
from mentoring.tests.factories import MembershipFactory, ProgrammeFactory, UserFactory
from tests.browser import DESKTOP, PHONE, shot, sign_in_as

from .factories import ContactFactory, allocated_case, mentor_for


def _alice_in_bridge():
    """The Bridge programme and Alice, a mentor on it: (programme, her user, her mentor record)."""
    programme = ProgrammeFactory(code="bridge", name="Bridge 18-25")
    user = UserFactory(username="alice", first_name="Alice", last_name="Mentor", role=Role.MENTOR)
    return programme, user, mentor_for(user, programme)


def _sign_in(page, live_server, user, size=PHONE):
    page.set_viewport_size(size)
    sign_in_as(page, live_server, user)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mentor_logs_a_contact_from_the_caseload_in_one_submit(live_server, page):
    programme, user, alice = _alice_in_bridge()
    case = allocated_case(alice, programme, client__first_name="Jordan", client__last_name="Example",
                          client__preferred_name="Jay")
    _sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/")
    shot(page, "contacts-mentor-home-phone")
    card = page.get_by_role("article").filter(has_text="Jay Example")
    card.get_by_role("link", name="Log contact with Jay Example").click()
    page.wait_for_url("**/contacts/case/*/log/**")
    page.get_by_text("30 min", exact=True).click()
    assert page.get_by_label("30 min", exact=True).is_checked()
    page.locator("label[for=id_mode_1]").click()  # Phone
    page.get_by_text("Job search", exact=True).click()
    page.get_by_text("Housing", exact=True).click()
    page.get_by_text("Date, time, place and next steps").click()
    page.get_by_label("Next steps").fill("Bring the CV to the Job Centre")
    page.get_by_label("Notes").fill("Talked through warehouse jobs near the bus route")
    # Nothing overflows sideways on a 360px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "contacts-log-contact-phone")
    page.get_by_role("button", name="Save contact").click()

    page.wait_for_url(f"{live_server.url}/")
    assert "Contact with Jay Example logged for today" in page.locator(".messages").inner_text()
    contact = Contact.objects.get(case=case)
    assert contact.duration_minutes == 30 and contact.mode == "phone"
    assert sorted(a.code for a in contact.activities.all()) == ["housing", "job_search"]

    timeline = reverse("clients:client_detail", args=[case.client_id])
    page.goto(f"{live_server.url}{timeline}")
    body = page.locator("main").inner_text()
    assert "Job search" in body and "Housing" in body
    shot(page, "contacts-timeline-phone")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_typical_contact_takes_four_taps_before_the_note_and_save_is_on_the_first_two_screens(
    live_server, page
):
    """Attended, face to face, 45 minutes, two activities and a note, on a 360x740 phone."""
    programme, user, alice = _alice_in_bridge()
    case = allocated_case(alice, programme, client__first_name="Jordan", client__last_name="Example",
                          client__preferred_name="Jay")
    _sign_in(page, live_server, user)
    page.goto(f"{live_server.url}{reverse('contacts:contact_create', args=[case.pk])}")
    save = page.get_by_role("button", name="Save contact")
    box = save.bounding_box()  # the page as it opens, not scrolled
    assert box["y"] + box["height"] <= 2 * PHONE["height"], f"Save is at y={box['y']:.0f}"
    shot(page, "contacts-log-contact-typical-phone")

    taps = ["45 min", "Job search", "Housing"]
    for words in taps:
        page.get_by_text(words, exact=True).click()
    page.get_by_label("Notes").click()
    taps.append("Notes")
    assert len(taps) <= 6
    page.keyboard.type("Talked through warehouse jobs near the bus route")
    save.click()

    page.wait_for_url(f"**/clients/{case.client_id}/")
    assert "Contact with Jay Example logged for today" in page.locator(".messages").inner_text()
    contact = Contact.objects.get(case=case)
    assert (contact.attendance, contact.mode, contact.duration_minutes) == ("attended", "face_to_face", 45)
    assert sorted(a.code for a in contact.activities.all()) == ["housing", "job_search"]
    assert contact.notes == "Talked through warehouse jobs near the bus route"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mentor_records_a_missed_phone_call_in_two_taps_and_the_form_hides_the_duration(live_server, page):
    from playwright.sync_api import expect

    from tests.browser import assert_accessible

    programme, user, alice = _alice_in_bridge()
    case = allocated_case(alice, programme, client__first_name="Jordan", client__last_name="Example",
                          client__preferred_name="Jay")
    _sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/")
    card = page.get_by_role("article").filter(has_text="Jay Example")
    phone = card.get_by_role("button", name="Phone: Jay Example didn't attend")
    expect(phone).to_be_hidden()  # one tap opens the choice...
    card.get_by_text("Didn't attend", exact=True).click()
    expect(phone).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    shot(page, "contacts-didnt-attend-choice-phone")
    phone.click()  # ...the second records it

    page.wait_for_url(f"{live_server.url}/")
    assert "Recorded: Jay Example did not attend today (phone)." in page.locator(".messages").inner_text()
    contact = Contact.objects.get(case=case)
    assert (contact.mode, contact.attendance, contact.duration_minutes) == ("phone", "did_not_attend", None)

    page.goto(f"{live_server.url}/contacts/case/{case.pk}/log/")
    duration = page.locator("#id_duration_minutes")
    expect(duration).to_be_visible()
    page.locator("label[for=id_attendance_1]").click()  # Did not attend
    expect(duration).to_be_hidden()
    page.locator("label[for=id_attendance_0]").click()  # Attended
    expect(duration).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lead_on_a_phone_reaches_everyone_going_quiet_from_the_home_panel(live_server, page):
    programme = ProgrammeFactory(code="bridge", name="Bridge 18-25")
    lead = UserFactory(username="charlie", first_name="Charlie", last_name="Lead", role=Role.LEAD)
    MembershipFactory(user=lead, programme=programme, role=Role.LEAD)
    alice = mentor_for(UserFactory(username="alice", role=Role.MENTOR), programme)
    today = timezone.localdate()
    for days in range(20, 32):
        case = allocated_case(alice, programme, client__last_name=f"Quiet{days}")
        ContactFactory(case=case, mentor=alice, date=today - timedelta(days=days))
    _sign_in(page, live_server, lead)

    page.goto(f"{live_server.url}/")
    assert "Showing the longest 10 of 12." in page.locator("main").inner_text()
    shot(page, "contacts-lead-home-quiet-phone")
    page.get_by_role("link", name="See all 12 going quiet").click()
    page.wait_for_url("**/clients/**due=quiet**")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 12
    assert rows.filter(has_text="Quiet31").count() == 1
    assert page.get_by_label("Needs attention").input_value() == "quiet"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "clients-going-quiet-phone")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_contacts_page_fits_a_phone_with_every_column_on_screen(live_server, page):
    programme, user, alice = _alice_in_bridge()
    case = allocated_case(alice, programme, client__first_name="Jordan", client__last_name="Example")
    ContactFactory(case=case, mentor=alice, date=date(2026, 11, 23), follow_up_on=date(2026, 11, 30))
    _sign_in(page, live_server, user)

    page.goto(f"{live_server.url}{reverse('contacts:case_contacts', args=[case.pk])}")
    shot(page, "contacts-case-contacts-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.locator("main table tbody tr").first
    attendance = row.locator("td[data-label=Attendance]")
    assert attendance.inner_text().strip() == "Attended"
    box = attendance.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    link = row.get_by_role("link", name="23 Nov 2026")
    assert link.bounding_box()["height"] < 30  # the date on one line


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_contacts_page_is_a_table_on_a_desktop(live_server, page):
    programme, user, alice = _alice_in_bridge()
    case = allocated_case(alice, programme)
    ContactFactory(case=case, mentor=alice, date=date(2026, 11, 23))
    _sign_in(page, live_server, user, DESKTOP)

    page.goto(f"{live_server.url}{reverse('contacts:case_contacts', args=[case.pk])}")
    shot(page, "contacts-case-contacts-desktop")
    assert page.get_by_role("columnheader", name="Attendance").is_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_group_form_on_a_phone_offers_only_the_chosen_programmes_clients_by_name(live_server, page):
    bridge, user, alice = _alice_in_bridge()
    harbour = ProgrammeFactory(code="harbour", name="Harbour Women's Project")
    alice.programmes.add(harbour)
    cat = allocated_case(alice, bridge, client__first_name="Cat", client__last_name="Inkwater")
    allocated_case(alice, harbour, client__first_name="Dee", client__last_name="Marlow")
    _sign_in(page, live_server, user)

    page.goto(f"{live_server.url}{reverse('contacts:group_session_create')}")
    page.get_by_label("Bridge 18-25").check()
    page.get_by_role("button", name="Choose who was there").click()
    main = page.locator("main")
    assert "Programme: Bridge 18-25" in main.inner_text()
    assert "Cat Inkwater" in main.inner_text()
    assert "Dee Marlow" not in main.inner_text() and "(bridge)" not in main.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "contacts-group-session-phone")
    page.get_by_label("Title").fill("Boxing club")
    page.get_by_text("Cat Inkwater", exact=True).click()
    page.get_by_role("button", name="Save group session").click()
    page.wait_for_url(f"{live_server.url}/")
    assert list(Contact.objects.values_list("case_id", flat=True)) == [cat.pk]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mentor_books_tomorrows_session_from_the_client_page_and_sees_it_at_home(live_server, page):
    from contacts.appointment_models import Appointment
    from tests.browser import assert_accessible

    programme, user, alice = _alice_in_bridge()
    case = allocated_case(alice, programme, client__first_name="Jordan", client__last_name="Example",
                          client__preferred_name="Jay")
    _sign_in(page, live_server, user)
    page.goto(f"{live_server.url}{reverse('clients:client_detail', args=[case.client_id])}")
    page.get_by_role("link", name="Book the next session").click()
    page.wait_for_url("**/contacts/case/*/book/**")
    # Checked as the form opens: just after a tap, a chip is still fading between its colours.
    assert_accessible(page)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Time").fill("14:30")
    page.get_by_text("Phone", exact=True).click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "contacts-book-next-session-phone")
    page.get_by_role("button", name="Book the session").click()
    page.wait_for_url(f"**/clients/{case.client_id}/")
    assert "booked for tomorrow at 14:30" in page.locator(".messages").inner_text()
    booked = Appointment.objects.get(case=case)
    assert (booked.date, booked.mode, booked.mentor) == (tomorrow, "phone", alice)

    page.goto(f"{live_server.url}/")
    panel = page.get_by_role("region", name="Today and tomorrow")
    text = panel.inner_text()
    assert "Tomorrow" in text and "14:30 Jay Example" in text and "Phone" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "contacts-today-and-tomorrow-phone")
