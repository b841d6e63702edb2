from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mentoring.models import Role
from mentoring.tests.factories import ProgrammeFactory, UserFactory
from outcomes.tests.factories import make_assessment
from tests.browser import DESKTOP, PHONE, assert_accessible, shot, sign_in_as
from tests.world import mentor_profile, open_case


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the seeded reference data
def test_radar_chart_renders_in_chromium(page, live_server, reference_data):
    programme = ProgrammeFactory(code="bridge", name="Bridge 18-25")
    user = UserFactory(username="alice", first_name="Alice", last_name="Mentor", role=Role.MENTOR)
    mentor = mentor_profile(user, programme)
    _, case, _, _ = open_case("Mina", "Mycase", programme, mentor=mentor)
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
    programme = ProgrammeFactory(code="bridge", name="Bridge 18-25")
    user = UserFactory(username="alice", first_name="Alice", last_name="Mentor", role=Role.MENTOR)
    _, case, _, _ = open_case("Mina", "Mycase", programme, mentor=mentor_profile(user, programme))
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

    programme = ProgrammeFactory(code="bridge", name="Bridge 18-25")
    user = UserFactory(username="alice", first_name="Alice", last_name="Mentor", role=Role.MENTOR)
    _, case, _, _ = open_case("Mina", "Mycase", programme, mentor=mentor_profile(user, programme))
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
