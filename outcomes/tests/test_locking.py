"""Correcting achievements and assessments: their edit pages, and no lost update on either."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.test import Client as Browser
from django.urls import reverse

from mentoring.models import AuditEvent
from mentoring.tests.locking import posted
from outcomes.models import Achievement
from outcomes.tests.factories import AchievementFactory, make_assessment

pytestmark = pytest.mark.django_db

SCORES = [5] * 10


def _browser(user):
    browser = Browser()
    browser.force_login(user)
    return browser


def test_a_mentor_corrects_a_jobs_date_from_the_client_page_and_it_is_audited(world, mentor_user):
    job = AchievementFactory(case=world.my_case, achieved_on=date(2026, 1, 5))
    browser = _browser(mentor_user)
    url = reverse("outcomes:achievement_update", args=[job.pk])
    page = browser.get(reverse("clients:client_detail", args=[world.my_case.client_id])).content.decode()
    assert f'href="{url}"' in page

    form = browser.get(url).context["form"]
    response = browser.post(url, posted(form, achieved_on="2026-01-12"))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.achieved_on == date(2026, 1, 12) and job.version == 2
    assert AuditEvent.objects.filter(verb="achievement.updated", object_id=str(job.pk)).exists()
    assert "achieved_on" in LogEntry.objects.get_for_object(job).latest("timestamp").changes_dict


def test_a_wrong_date_on_an_achievement_is_refused_and_what_was_typed_kept(world, mentor_user):
    job = AchievementFactory(case=world.my_case)
    browser = _browser(mentor_user)
    url = reverse("outcomes:achievement_update", args=[job.pk])
    response = browser.post(url, posted(browser.get(url).context["form"], achieved_on="2099-01-01", notes="Payslip seen"))
    assert response.status_code == 200
    assert "The date achieved cannot be in the future." in response.content.decode()
    assert response.context["form"]["notes"].value() == "Payslip seen"


def test_a_stale_save_of_an_achievement_is_refused_and_the_first_change_kept(world, mentor_user, lead):
    job = AchievementFactory(case=world.my_case, employer_or_course="Northshire Builders Ltd", notes="")
    url = reverse("outcomes:achievement_update", args=[job.pk])
    mentor, lead_browser = _browser(mentor_user), _browser(lead)
    mentor_form, lead_form = mentor.get(url).context["form"], lead_browser.get(url).context["form"]

    assert mentor.post(url, posted(mentor_form, employer_or_course="Northshire Build Ltd")).status_code == 302
    response = lead_browser.post(url, posted(lead_form, notes="Contract seen"))

    assert response.status_code == 409
    assert ("Someone else saved this achievement while you were editing: "
            "Employer or course is now “Northshire Build Ltd”.") in response.content.decode()
    job.refresh_from_db()
    assert job.employer_or_course == "Northshire Build Ltd" and job.notes == ""


def test_an_employment_check_answered_while_the_job_is_being_edited_is_not_undone(world, mentor_user, lead):
    # The check writes its one field and bumps the version: the edit opened before it is
    # refused and shows the answer, instead of saving "not checked yet" over it.
    job = AchievementFactory(case=world.my_case, achieved_on=date(2025, 1, 6))
    url = reverse("outcomes:achievement_update", args=[job.pk])
    lead_browser = _browser(lead)
    lead_form = lead_browser.get(url).context["form"]

    _browser(mentor_user).post(reverse("outcomes:achievement_check", args=[job.pk]), {"weeks": "13", "in_work": "yes"})
    response = lead_browser.post(url, posted(lead_form, hours_per_week="30"))

    assert response.status_code == 409
    assert "Still in work at 13 weeks is now Yes." in response.content.decode()
    job.refresh_from_db()
    assert job.in_work_13_weeks is True and job.hours_per_week == 37.5
    retry = response.context["form"]
    assert lead_browser.post(url, posted(retry)).status_code == 302
    job.refresh_from_db()
    assert job.in_work_13_weeks is True and job.hours_per_week == 30


def test_an_employment_check_answered_twice_keeps_the_first_answer(world, mentor_user, lead):
    job = AchievementFactory(case=world.my_case, achieved_on=date(2025, 1, 6))
    check = reverse("outcomes:achievement_check", args=[job.pk])
    _browser(mentor_user).post(check, {"weeks": "13", "in_work": "yes"})

    response = _browser(lead).post(check, {"weeks": "13", "in_work": "no"}, follow=True)

    assert "The 13-week check was already answered" in response.content.decode()
    assert Achievement.objects.get(pk=job.pk).in_work_13_weeks is True
    assert AuditEvent.objects.filter(verb="achievement.employment_checked", object_id=str(job.pk)).count() == 1


def test_a_mentor_corrects_a_score_from_the_assessment_page(world, mentor_user):
    assessment = make_assessment(world.my_case, SCORES)
    browser = _browser(mentor_user)
    url = reverse("outcomes:assessment_update", args=[assessment.pk])
    page = browser.get(reverse("outcomes:assessment_detail", args=[assessment.pk])).content.decode()
    assert f'href="{url}"' in page
    client_page = browser.get(reverse("clients:client_detail", args=[world.my_case.client_id])).content.decode()
    assert f'href="{url}"' in client_page

    form = browser.get(url).context["form"]
    first = form.domains[0]
    response = browser.post(url, posted(form, **{f"score_{first.code}": "8", f"comment_{first.code}": "Feeling better"}))

    assert response.status_code == 302
    score = assessment.scores.get(domain=first)
    assert (score.score, score.comment) == (8, "Feeling better")
    assert assessment.scores.exclude(domain=first).filter(score=5).count() == len(form.domains) - 1
    assert AuditEvent.objects.filter(verb="assessment.updated", object_id=str(assessment.pk)).exists()


def test_a_stale_save_of_an_assessment_is_refused_and_the_first_correction_kept(world, mentor_user, lead):
    assessment = make_assessment(world.my_case, SCORES)
    url = reverse("outcomes:assessment_update", args=[assessment.pk])
    mentor, lead_browser = _browser(mentor_user), _browser(lead)
    mentor_form, lead_form = mentor.get(url).context["form"], lead_browser.get(url).context["form"]
    first, second = mentor_form.domains[0], mentor_form.domains[1]

    assert mentor.post(url, posted(mentor_form, **{f"score_{first.code}": "9"})).status_code == 302
    response = lead_browser.post(url, posted(lead_form, **{f"score_{second.code}": "2"}))

    assert response.status_code == 409
    assert f"{first.label}: score is now 9." in response.content.decode()
    assert assessment.scores.get(domain=first).score == 9
    assert assessment.scores.get(domain=second).score == 5
    retry = response.context["form"]
    assert retry[f"score_{first.code}"].value() == "9" and retry[f"score_{second.code}"].value() == "2"
