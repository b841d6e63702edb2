from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mentoring.models import Role
from mentoring.tests.factories import ProgrammeFactory, UserFactory
from outcomes.tests.factories import make_assessment
from tests.browser import DESKTOP, PHONE, assert_accessible, shot, sign_in_as
from tests.world import mentor_profile, open_case


def _alice_and_minas_case():
    """Alice, a mentor on Bridge, and her client Mina Mycase's open case: (Alice's user, the case)."""
    programme = ProgrammeFactory(code="bridge", name="Bridge 18-25")
    user = UserFactory(username="alice", first_name="Alice", last_name="Mentor", role=Role.MENTOR)
    _, case, _, _ = open_case("Mina", "Mycase", programme, mentor=mentor_profile(user, programme))
    return user, case


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the seeded reference data
def test_radar_chart_renders_in_chromium(page, live_server, reference_data):
    user, case = _alice_and_minas_case()
    make_assessment(case, [3, 4, 5, 2, 6, 3, 4, 5, 2, 1], on=date(2026, 1, 5))
    latest = make_assessment(case, [7, 6, 5, 6, 8, 5, 4, 7, 6, 5], on=date(2026, 4, 5), stage="review")
    sign_in_as(page, live_server, user)

    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto(live_server.url + reverse("outcomes:assessment_detail", kwargs={"pk": latest.pk}))
        chart = page.locator("svg.wheel-chart")
        assert chart.count() == 1
        box = chart.bounding_box()
        assert box["width"] > 250 and box["height"] > 200
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1  # fits the screen
        assert page.locator("svg.wheel-chart polygon.wheel-series-shape").count() == 2
        # The shapes are laid out by the browser: the latest one is bigger than the first.
        first, latest_shape = (page.locator("polygon.wheel-series-shape").nth(i).bounding_box() for i in (0, 1))
        assert latest_shape["width"] > first["width"]
        assert page.get_by_role("img", name="Progress wheel: first assessment").count() == 1
        expect(page.locator("svg.wheel-chart text", has_text="Motivation")).to_be_visible()
        shot(page, f"outcomes-wheel-{name}")
        assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the seeded reference data
def test_assessment_form_works_one_domain_at_a_time_on_a_phone(page, live_server, reference_data):
    user, case = _alice_and_minas_case()
    sign_in_as(page, live_server, user)
    page.set_viewport_size(PHONE)
    url = live_server.url + reverse("outcomes:assessment_create", kwargs={"pk": case.pk})
    page.goto(url)
    shot(page, "outcomes-assessment-all-phone")
    assert_accessible(page)
    page.goto(url + "?step=0")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="1. Motivation")).to_be_visible()
    page.get_by_role("button", name="Next").click()  # no score chosen: refused, with the domain named
    expect(page.get_by_text("Motivation: choose a score from 1 to 10.").first).to_be_visible()
    page.locator("label[for=id_score_motivation_6]").click()  # a large tap target for "7"
    page.get_by_label("Motivation: in the client's own words").fill("I'm up for it now.")
    shot(page, "outcomes-assessment-step-phone")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="2. Use of time")).to_be_visible()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_role("heading", name="1. Motivation")).to_be_visible()
    expect(page.locator("#id_score_motivation_6")).to_be_checked()
    expect(page.get_by_label("Motivation: in the client's own words")).to_have_value("I'm up for it now.")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the seeded reference data
def test_a_stale_achievement_edit_shows_the_other_change_and_saves_after_review_on_a_phone(page, live_server, reference_data):
    from outcomes.models import Achievement
    from outcomes.tests.factories import AchievementFactory

    user, case = _alice_and_minas_case()
    job = AchievementFactory(case=case, employer_or_course="Northshire Builders Ltd", notes="")
    sign_in_as(page, live_server, user)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("outcomes:achievement_update", kwargs={"pk": job.pk}))

    # While the page is open, someone else corrects the employer.
    other = Achievement.objects.get(pk=job.pk)
    other.employer_or_course = "Northshire Build Ltd"
    other.save()
    page.get_by_label("Notes").fill("Contract seen")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_text("Employer or course is now “Northshire Build Ltd”")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("Contract seen")
    expect(page.get_by_label("Employer or course")).to_have_value("Northshire Build Ltd")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "outcomes-achievement-conflict-phone")
    assert_accessible(page)

    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved your changes")).to_be_visible()
    job.refresh_from_db()
    assert (job.employer_or_course, job.notes) == ("Northshire Build Ltd", "Contract seen")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the seeded reference data
def test_on_a_phone_the_mentor_steps_through_every_domain_and_one_save_keeps_every_answer(page, live_server, reference_data):
    from outcomes.models import Assessment

    user, case = _alice_and_minas_case()
    url = live_server.url + reverse("outcomes:assessment_create", kwargs={"pk": case.pk})

    # Before: without the script the whole wheel is one long page on a phone.
    plain = page.context.browser.new_context(java_script_enabled=False, viewport=PHONE)
    before = plain.new_page()
    sign_in_as(before, live_server, user)
    before.goto(url)
    assert before.locator("section.domain:visible").count() == 10
    shot(before, "outcomes-assessment-form-phone-before")
    plain.close()

    sign_in_as(page, live_server, user)
    page.set_viewport_size(PHONE)
    page.goto(url)
    shot(page, "outcomes-assessment-form-phone-after")
    expect(page.locator(".stepper-progress")).to_have_text("About this assessment, then 10 domains")
    assert page.locator("section.domain:visible").count() == 0
    expect(page.get_by_role("button", name="Save assessment")).to_be_hidden()
    page.get_by_role("button", name="Next").click()
    for number in range(1, 11):
        expect(page.locator(".stepper-progress")).to_have_text(f"Domain {number} of 10")
        section = page.locator("section.domain:visible")
        assert section.count() == 1
        heading = section.locator("h2")
        expect(heading).to_be_focused()
        assert heading.inner_text().startswith(f"{number}. ")
        section.locator("label.scale-option").nth(number - 1).click()  # score `number`
        section.locator("textarea").fill(f"Words for domain {number}")
        if number == 3:
            page.get_by_role("button", name="Back").click()
            expect(page.locator(".stepper-progress")).to_have_text("Domain 2 of 10")
            page.get_by_role("button", name="Next").click()
            expect(page.locator(".stepper-progress")).to_have_text("Domain 3 of 10")
        if number < 10:
            page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("button", name="Next")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "outcomes-assessment-form-phone-last-domain")
    assert_accessible(page)
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Saved the")).to_be_visible()

    assessment = Assessment.objects.get(case=case)
    saved = [(s.score, s.comment) for s in assessment.scores.order_by("domain__order", "domain__id")]
    assert saved == [(n, f"Words for domain {n}") for n in range(1, 11)]

    # On a wide screen everything shows at once, as before.
    page.set_viewport_size(DESKTOP)
    page.goto(url)
    assert page.locator("section.domain:visible").count() == 10
    expect(page.locator(".stepper-progress")).to_be_hidden()
    expect(page.get_by_role("button", name="Save assessment")).to_be_visible()
    shot(page, "outcomes-assessment-form-desktop")
