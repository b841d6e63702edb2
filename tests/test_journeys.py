"""End-to-end journeys in real Chromium, at desktop and phone sizes, with axe-core on every page.

Each journey signs in through the real login form (with two-factor where the role needs it),
asserts what the person sees at each step, saves a screenshot per step under
`test-artifacts/screenshots/` (ignored by git) and runs axe-core on every page it visits:
no serious or critical violation is allowed.
"""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from clients.models import Case, Client
from contacts.models import Contact
from mentoring.models import Role
from mentoring.tests.factories import PASSWORD, MembershipFactory, ProgrammeFactory, UserFactory, totp_code, with_totp
from mentors.models import Allocation
from outcomes.models import Achievement, Assessment
from referrals.models import Referral, ReferralSource
from reports.forms import financial_year_start
from tests.browser import DESKTOP, PHONE, assert_accessible, shot
from tests.world import mentor_profile, open_case

SIZES = {"desktop": DESKTOP, "phone": PHONE}
sizes = pytest.mark.parametrize("size", list(SIZES))
journey = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Journey:
    """One person's path through the app: each `see(...)` is a numbered, checked step."""

    def __init__(self, name, size, page, live_server):
        self.name, self.size, self.page, self.base = name, size, page, live_server.url
        self.step = 0
        page.set_default_timeout(10_000)
        page.set_viewport_size(SIZES[size])
        # No CSS transitions (Bootstrap honours reduced motion): screenshots and axe see settled colours.
        page.emulate_media(reduced_motion="reduce")

    def go(self, path):
        self.page.goto(self.base + path)

    def see(self, name):
        """A page (or a new state of one) the person sees: screenshot, axe, nothing sideways."""
        self.step += 1
        shot(self.page, f"{self.name}-{self.size}-{self.step:02d}-{name}")
        assert_accessible(self.page)
        if self.size == "phone":
            width = self.page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name}: the page is {width}px wide on a 360px phone: {self.too_wide()}"
        codes = raw_codes(self.page.evaluate(VISIBLE_TEXT))
        assert not codes, f"{name}: raw codes in what the person reads: {codes}"

    def too_wide(self):
        """The innermost elements that stick out past the right edge of the screen."""
        return self.page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
            .slice(0, 8).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
                + ' ' + Math.round(el.getBoundingClientRect().right) + 'px')""")

    def nav(self, name):
        """Follow a link of the main navigation (behind the menu button on a phone)."""
        menu = self.page.locator(".navbar-toggler")
        if menu.is_visible():
            menu.click()
        self.page.locator(".navbar").get_by_role("link", name=name, exact=True).click()

    def main(self):
        return self.page.locator("main")

    def sign_in(self, username, *, totp_secret=None):
        page = self.page
        self.go("/")
        page.wait_for_url("**/accounts/login/**")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Waymark")
        self.see("sign-in")
        page.get_by_label("Username or email").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        if totp_secret:
            page.wait_for_url("**/accounts/2fa/authenticate/**")
            expect(page.get_by_role("heading", level=1)).to_contain_text("Two-Factor")
            self.see("two-factor")
            page.locator("input[name=code]").fill(totp_code(totp_secret))
            page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(self.base + "/")
        self.see("home")


# snake_case tokens (`job_search`) and dotted codes (`contacts.contact`, `case.view`) are for
# engineers; a person reads words. Web addresses and file names are not codes.
RAW_CODE = re.compile(r"(?<![\w./@-])(?:[a-z]+(?:_[a-z0-9]+)+|[a-z]{2,}(?:\.[a-z_]{2,})+)(?![\w/@-])")
# The text a person reads or hears, outside <code> (a column name they type into a file is literal).
VISIBLE_TEXT = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), text = [];
    for (let node; (node = walker.nextNode());) {
        const el = node.parentElement;
        if (el && !el.closest('code, kbd, samp, script, style, template') && el.checkVisibility()) text.push(node.textContent);
    }
    return text.join(' ');
}"""
NOT_CODES = re.compile(r"\.(?:pdf|csv|json|zip|png|org|com|uk|test|example)$")


def raw_codes(text):
    """The snake_case tokens and dotted codes in a page's visible text."""
    return sorted({code for code in RAW_CODE.findall(text) if not NOT_CODES.search(code)})


def test_the_raw_code_scan_finds_codes_and_leaves_words_alone():
    assert raw_codes("Mode: in_person · Event case.view · Signed in") == ["case.view", "in_person"]
    assert raw_codes("Download report.pdf from waymark.example.org, e.g. Jess. End.") == []


def field(page, label):
    """The form field labelled `label` (crispy's labels carry whitespace and '(required)' when required)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*(\(required\))?\s*$"))


def lead_and_mentor():
    programme = ProgrammeFactory(code="bridge", name="Bridge 18-25", engagement_min_contacts=2)
    lead = UserFactory(username="charlie", first_name="Charlie", last_name="Lead", role=Role.LEAD)
    MembershipFactory(user=lead, programme=programme, role=Role.LEAD)
    mentor_user = UserFactory(username="alice", first_name="Alice", last_name="Mentor", role=Role.MENTOR)
    mentor = mentor_profile(mentor_user, programme)
    return programme, lead, mentor_user, mentor


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@sizes
def test_a_lead_takes_a_referral_through_to_an_allocated_mentor(live_server, page, size):
    programme, _, _, mentor = lead_and_mentor()
    j = Journey("lead-referral", size, page, live_server)
    j.sign_in("charlie")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Charlie")

    j.go("/referrals/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a referral")
    j.see("referral-form")
    field(page, "First name").fill("Jordan")
    field(page, "Last name").fill("Example")
    field(page, "Date of birth").fill("2004-03-02")
    field(page, "Referring agency").select_option(label="Probation")
    field(page, "Received on").fill(timezone.localdate().isoformat())
    page.get_by_label("What they want help with").fill("Finding work and somewhere stable to live")
    page.get_by_role("button", name="Save referral").click()

    page.wait_for_url("**/referrals/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral of Jordan Example")
    expect(j.main()).to_contain_text("Pending")
    j.see("referral-detail")
    referral = Referral.objects.get(client__last_name="Example")
    assert referral.programme == programme

    page.get_by_label("Accept: open a case waiting for a mentor").check()
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url("**/mentors/allocation/case/*/")
    expect(page.locator(".messages")).to_contain_text("Referral accepted")
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocate a mentor to Jordan Example")
    suggestion = page.get_by_role("article").filter(has_text="Alice Mentor")
    expect(suggestion).to_be_visible()
    j.see("allocate")

    suggestion.get_by_role("button", name="Allocate as lead mentor: Alice Mentor").click()
    expect(page.locator(".messages")).to_contain_text("Alice Mentor is now lead")
    j.see("allocated")
    case = Case.objects.get(client__last_name="Example")
    assert case.status == Case.Status.ACTIVE
    assert Allocation.objects.current().get(case=case).mentor == mentor

    j.go(f"/clients/{case.client_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jordan Example")
    expect(j.main()).to_contain_text("Active")
    expect(j.main()).to_contain_text("Alice Mentor")
    j.see("client-page")


def new_case_for(mentor, programme, first, last, **client):
    """A client just referred, accepted and allocated to `mentor` (no contact yet)."""
    today = timezone.localdate()
    person = Client.objects.create(first_name=first, last_name=last, date_of_birth=date(2003, 4, 5), **client)
    referral = Referral.objects.create(
        client=person,
        programme=programme,
        received_on=today - timedelta(days=3),
        source=ReferralSource.objects.get(code="probation"),
    )
    case = referral.accept(on=today - timedelta(days=2))
    Allocation.objects.create(case=case, mentor=mentor, started_on=case.started_on)
    case.activate()
    return case


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@sizes
def test_a_mentor_logs_a_contact_an_assessment_and_an_achievement(live_server, page, size):
    programme, _, _, mentor = lead_and_mentor()
    case = new_case_for(mentor, programme, "Jordan", "Example", preferred_name="Jay")
    j = Journey("mentor-work", size, page, live_server)
    j.sign_in("alice")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alice")

    card = page.get_by_role("article").filter(has_text="Jay Example")
    expect(card).to_be_visible()
    card.get_by_role("link", name="Log contact with Jay Example").click()
    page.wait_for_url("**/contacts/case/*/log/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    j.see("log-contact")
    page.get_by_text("45 min", exact=True).click()
    page.get_by_text("Job search", exact=True).click()
    page.get_by_text("Date, time, place and next steps").click()
    field(page, "Next steps").fill("Bring the CV to the Job Centre")
    j.see("log-contact-filled")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(j.base + "/")
    expect(page.locator(".messages")).to_contain_text("Contact with Jay Example logged for today")
    j.see("home-after-contact")
    contact = Contact.objects.get(case=case)
    assert contact.duration_minutes == 45 and contact.mentor == mentor
    assert [a.code for a in contact.activities.all()] == ["job_search"]

    j.go(f"/clients/{case.client_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jay Example")
    j.see("client-page")
    page.get_by_role("link", name="Score the wheel").click()
    page.wait_for_url("**/outcomes/cases/*/assessments/new/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress wheel")
    j.see("assessment-form")
    scores = {}
    for number, fieldset in enumerate(page.locator("fieldset.scale").all()):
        score = number % 5 + 4
        # On a phone the wheel shows one part a screen: Next until this domain is on screen.
        while not fieldset.is_visible():
            page.get_by_role("button", name="Next").click()
        fieldset.get_by_text(str(score), exact=True).click()
        scores[number] = score
    assert len(scores) == 10
    page.get_by_role("button", name="Save assessment").click()
    expect(page.locator(".messages")).to_be_visible()
    j.see("assessment-saved")
    assessment = Assessment.objects.get(case=case)
    assert sorted(s.score for s in assessment.scores.all()) == sorted(scores.values())

    j.go(f"/clients/{case.client_id}/")
    page.get_by_role("link", name="Record an achievement").click()
    page.wait_for_url("**/outcomes/cases/*/achievements/new/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an achievement")
    j.see("achievement-form")
    field(page, "What did they achieve?").select_option(label="ID obtained")
    field(page, "Notes").fill("Provisional driving licence arrived")
    page.get_by_role("button", name="Save achievement").click()
    expect(page.locator(".messages")).to_be_visible()
    j.see("achievement-saved")
    assert Achievement.objects.get(case=case).type.code == "id_obtained"

    j.go(f"/clients/{case.client_id}/")
    main = j.main()
    expect(main).to_contain_text("ID obtained")
    expect(main.get_by_role("link", name="Initial assessment: progress wheel")).to_be_visible()
    expect(main).to_contain_text("Job search")
    expect(main).to_contain_text(timezone.localdate().strftime("%-d %b %Y"))
    j.see("client-page-after")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@sizes
def test_a_manager_signs_in_with_two_factor_and_downloads_the_report(live_server, page, size):
    programme, _, _, mentor = lead_and_mentor()
    for first, last in (("Ada", "Quill"), ("Bo", "Marrow"), ("Cy", "Fenwick")):
        open_case(first, last, programme, mentor=mentor)
    manager = UserFactory(username="erin", first_name="Erin", last_name="Manager", role=Role.MANAGER)
    secret = with_totp(manager)
    j = Journey("manager-report", size, page, live_server)
    j.sign_in("erin", totp_secret=secret)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erin")

    j.nav("Reports")
    page.wait_for_url("**/reports/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report")
    j.see("report-this-year")
    page.get_by_role("button", name="Financial year to date").click()
    headlines = page.get_by_role("region", name="Headlines")
    expect(headlines).to_be_visible()
    today = timezone.localdate()
    period = f"Bridge 18-25: {financial_year_start(today):%-d %b %Y} to {today:%-d %b %Y}"
    expect(page.locator("p.lead")).to_contain_text(period)
    j.see("report")
    tiles = {
        tile.locator(".tile-label").inner_text().strip(): tile.locator(".tile-value").inner_text().strip()
        for tile in headlines.locator(".tile").all()
    }
    assert tiles, "the report shows headline figures"
    assert tiles["Cases worked with"] == "<5", tiles  # small numbers are hidden unless asked otherwise

    page.get_by_label("Show every number: for internal use only").check()
    page.get_by_role("button", name="Show report").click()
    expect(page.locator("#error-summary")).to_contain_text("internal use only")
    page.get_by_label("I confirm this report is for internal use only").check()
    page.get_by_role("button", name="Show report").click()
    expect(headlines).to_be_visible()
    tiles = {
        tile.locator(".tile-label").inner_text().strip(): tile.locator(".tile-value").inner_text().strip()
        for tile in headlines.locator(".tile").all()
    }
    assert tiles["Cases worked with"] == "3", tiles  # three clients on the programme

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename.endswith(".pdf")
    text = " ".join(p.extract_text() for p in PdfReader(pdf.path()).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Bridge 18-25" in text
    for label, value in tiles.items():
        assert re.sub(r"\s+", " ", label) in text, label
        assert value in text, (label, value)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    download = csv_download.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    metrics = [row for row in rows if row.get("metric id")]
    assert len(metrics) >= len(tiles), rows[:5]
    assert {"section", "metric id", "label", "value", "base"} <= set(rows[0])
    j.see("report-after-downloads")

    # The audit trail says what she did, in words: the downloads with their period, her sign-in,
    # the client record she opened; and finds that client's events by part of their name.
    ada = Client.objects.get(last_name="Quill")
    j.go(f"/clients/{ada.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ada Quill")
    j.nav("Audit trail")
    page.wait_for_url("**/audit/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    trail = page.locator("table")
    expect(trail).to_contain_text("Downloaded a report (PDF)")
    expect(trail).to_contain_text("Downloaded a report (CSV)")
    start = financial_year_start(today)
    start_words = f"{start:%-d %b}" if start.year == today.year else f"{start:%-d %b %Y}"
    expect(trail).to_contain_text(f"Period: {start_words} to {today:%-d %b %Y}")
    expect(trail).to_contain_text("Signed in")
    expect(trail).to_contain_text("Erin Manager (erin)")
    j.see("audit-trail")
    field(page, "Client (name or reference)").fill("quill")
    page.get_by_role("button", name="Apply filters").click()
    expect(trail).to_contain_text("Client: Ada Quill")
    j.see("audit-trail-one-client")


IMPORT_FILES = {
    "programmes.csv": "code,name,funder,starts_on,target_clients\nharbour,Harbour project,Coastal Trust,2025-04-01,30\n",
    "clients.csv": (
        "client_ref,first_name,last_name,date_of_birth,gender,area,risk_level\n"
        "H1,Ines,Tarrow,2001-02-03,female,Eastcliff,medium\n"
        "H2,Omar,Quenby,1998-11-30,male,Westcliff,low\n"
    ),
    "referrals.csv": (
        "referral_ref,client_ref,programme,received_on,source,decision,decided_on\n"
        "HR1,H1,harbour,2025-05-01,probation,accepted,2025-05-06\n"
        "HR2,H2,harbour,2025-06-01,self,pending,\n"
    ),
    "cases.csv": "case_ref,client_ref,programme,referral_ref,started_on\nHK1,H1,harbour,HR1,2025-05-06\n",
    "contacts.csv": (
        "case_ref,date,mode,attendance,duration_minutes,activities,notes\n"
        "HK1,2025-05-13,face_to_face,attended,60,goal_setting;housing,First meeting\n"
        "HK1,2025-05-20,phone,did_not_attend,,,\n"
    ),
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@sizes
def test_an_administrator_imports_a_csv_set_and_sees_the_summary(live_server, page, size, tmp_path, settings):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    paths = []
    for name, text in IMPORT_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(tmp_path / name)
    admin = UserFactory(username="frank", first_name="Frank", last_name="Admin", role=Role.ADMINISTRATOR, is_staff=True)
    secret = with_totp(admin)
    j = Journey("admin-import", size, page, live_server)
    j.sign_in("frank", totp_secret=secret)

    j.go("/data/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import data")
    j.see("upload")
    field(page, "Import files").set_input_files(paths)
    page.get_by_role("button", name="Check the files").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check of the import files")
    preview = page.get_by_role("region", name=re.compile("Every row is valid"))
    expect(preview).to_be_visible()
    for name in IMPORT_FILES:
        expect(preview.get_by_role("row").filter(has_text=name)).to_be_visible()
    expect(preview.get_by_role("row").filter(has_text="clients.csv")).to_contain_text("2")
    j.see("preview")
    assert not Client.objects.filter(client_ref="H1").exists(), "nothing is imported before Import is pressed"

    page.get_by_role("button", name="Import", exact=True).click()
    summary = page.get_by_role("region", name="What the import did")
    expect(summary).to_be_visible()
    for line in (
        "programmes.csv: 1 created, 0 updated, 0 unchanged",
        "clients.csv: 2 created, 0 updated, 0 unchanged",
        "referrals.csv: 2 created, 0 updated, 0 unchanged",
        "cases.csv: 1 created, 0 updated, 0 unchanged",
        "contacts.csv: 2 created, 0 updated, 0 unchanged",
    ):
        expect(summary).to_contain_text(line)
    j.see("summary")
    assert set(Client.objects.filter(client_ref__in=["H1", "H2"]).values_list("first_name", flat=True)) == {
        "Ines",
        "Omar",
    }
    assert Contact.objects.filter(case__case_ref="HK1").count() == 2
    assert Referral.objects.filter(referral_ref="HR2", decision="pending").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@sizes
def test_the_log_a_contact_form_works_with_the_keyboard_alone(live_server, page, size):
    programme, _, mentor_user, mentor = lead_and_mentor()
    case = new_case_for(mentor, programme, "Jordan", "Example", preferred_name="Jay")
    j = Journey("keyboard-contact", size, page, live_server)
    j.sign_in("alice")
    j.go(f"/contacts/case/{case.pk}/log/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    j.see("form")

    focused = []

    def tab_to(selector, limit=80):
        """Press Tab until the element matching `selector` has the focus."""
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                return page.locator(selector)
        raise AssertionError(f"Tab never reached {selector}: {focused}")

    def focus_ring(selector):
        """The chip's label shows the keyboard focus (an outline, or Bootstrap's box-shadow)."""
        label = page.locator(f"label[for='{page.locator(selector).get_attribute('id')}']")
        return label.evaluate(
            "el => getComputedStyle(el).outlineStyle !== 'none' || getComputedStyle(el).boxShadow !== 'none'"
        )

    # What every contact needs comes first: attendance, how, how long.
    tab_to("input[name=attendance]")
    expect(page.locator("input[name=attendance]:focus")).to_have_value("attended")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Did not attend", exact=True)).to_be_checked()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_label("Attended", exact=True)).to_be_checked()
    assert focus_ring("input[name=attendance]:focus")

    tab_to("input[name=mode]")
    assert page.evaluate("document.activeElement.checked"), "the checked mode takes the focus"
    page.keyboard.press("ArrowRight")  # Face to face -> Phone
    expect(page.get_by_label("Phone", exact=True)).to_be_checked()

    tab_to("input[name=duration_minutes]")
    expect(page.locator("input[name=duration_minutes]:focus")).to_have_value("60")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # 60 -> 45 -> 30 minutes
    expect(page.get_by_label("30 min", exact=True)).to_be_checked()

    job_search = page.get_by_label("Job search", exact=True)
    job_search_id = job_search.get_attribute("id")
    tab_to(f"#{job_search_id}")
    assert focus_ring(f"#{job_search_id}")
    page.keyboard.press("Space")
    expect(job_search).to_be_checked()
    j.see("chosen-with-keyboard")

    tab_to("button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/clients/{case.client_id}/")
    expect(page.locator(".messages")).to_contain_text("Contact with Jay Example logged for today")
    j.see("saved")

    contact = Contact.objects.get(case=case)
    assert (contact.mode, contact.attendance, contact.duration_minutes) == ("phone", "attended", 30)
    assert [a.code for a in contact.activities.all()] == ["job_search"]
    assert contact.mentor == mentor and mentor_user.pk == mentor.user_id
    # Every stop on the way was a form control in the page's order (no focus trap, no detour).
    assert focused.index("id_duration_minutes_3") < focused.index(job_search_id)
    # ... and few of them: the folded parts are one stop each until opened.
    assert len(focused) <= 30, focused
