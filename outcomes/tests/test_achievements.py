from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import AuditEvent
from outcomes.dashboard import employment_checks_due
from outcomes.models import Achievement, AchievementType
from outcomes.tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

STARTED = date(2026, 1, 5)  # a Monday


def due(user, on):
    return [(item.achievement.pk, item.weeks) for item in employment_checks_due(user, on)]


def test_13_week_check_is_due_on_the_day_13_weeks_after_the_job_started_not_before(world, mentor_user):
    job = AchievementFactory(case=world.my_case, achieved_on=STARTED)
    assert due(mentor_user, STARTED + timedelta(weeks=13) - timedelta(days=1)) == []
    assert due(mentor_user, STARTED + timedelta(weeks=13)) == [(job.pk, 13)]
    assert due(mentor_user, date(2026, 4, 6)) == [(job.pk, 13)]  # 13 weeks on, by the calendar


def test_26_week_check_is_due_on_its_day_and_each_check_stays_until_answered(world, mentor_user, lead):
    job = AchievementFactory(case=world.my_case, achieved_on=STARTED)
    day_26 = STARTED + timedelta(weeks=26)
    assert due(mentor_user, day_26 - timedelta(days=1)) == [(job.pk, 13)]
    assert due(mentor_user, day_26) == [(job.pk, 13), (job.pk, 26)]
    job.record_check(weeks=13, in_work=True, by=mentor_user)
    assert due(mentor_user, day_26 - timedelta(days=1)) == []
    assert due(lead, day_26) == [(job.pk, 26)]
    job.record_check(weeks=26, in_work=True, by=lead)
    assert due(lead, day_26 + timedelta(days=300)) == []


def test_a_job_lost_by_13_weeks_needs_no_26_week_check(world, mentor_user):
    job = AchievementFactory(case=world.my_case, achieved_on=STARTED)
    job.record_check(weeks=13, in_work=False, by=mentor_user)
    assert due(mentor_user, STARTED + timedelta(weeks=40)) == []


def test_only_jobs_have_employment_checks(world, mentor_user):
    AchievementFactory(case=world.my_case, achieved_on=STARTED, type=AchievementType.objects.get(code="cscs_card"))
    assert due(mentor_user, STARTED + timedelta(weeks=30)) == []


def test_checks_are_due_to_the_current_mentor_and_the_programme_lead_only(world, mentor_user, other_mentor_user, lead, other_lead):
    mine = AchievementFactory(case=world.my_case, achieved_on=STARTED)
    past = AchievementFactory(case=world.past_case, achieved_on=STARTED)
    far = AchievementFactory(case=world.far_case, achieved_on=STARTED)
    on = STARTED + timedelta(weeks=13)
    assert due(mentor_user, on) == [(mine.pk, 13)]
    assert due(other_mentor_user, on) == []
    assert {pk for pk, _ in due(lead, on)} == {mine.pk, past.pk}
    assert due(other_lead, on) == [(far.pk, 13)]


def test_home_page_shows_the_employment_check_on_its_day(client, world, mentor_user):
    today = timezone.localdate()
    AchievementFactory(case=world.my_case, achieved_on=today - timedelta(weeks=13), employer_or_course="Harbourside Café")
    AchievementFactory(case=world.my_case, achieved_on=today - timedelta(weeks=13) + timedelta(days=1),
                       employer_or_course="Greenway Logistics")
    client.force_login(mentor_user)
    page = client.get(reverse("home")).content.decode()
    assert "Employment checks due" in page
    assert "Harbourside Café" in page
    assert "Greenway Logistics" not in page  # due tomorrow


def test_home_page_shows_the_oldest_checks_first_with_the_full_count(client, world, lead):
    today = timezone.localdate()
    # Eight jobs started 30 weeks ago (a 13- and a 26-week check each: 16 due, all older than
    # the rest) and six started 14 weeks ago (one check each): 22 due in all.
    for n in range(8):
        AchievementFactory(case=world.my_case, achieved_on=today - timedelta(weeks=30, days=n),
                           employer_or_course=f"Long-standing employer {n}")
    for n in range(6):
        AchievementFactory(case=world.my_case, achieved_on=today - timedelta(weeks=14, days=n),
                           employer_or_course=f"Recent employer {n}")
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    assert "Showing the oldest 10 of 22." in page
    assert "Long-standing employer 7" in page  # its 13-week check is the oldest of all
    assert "Recent employer" not in page
    assert [(item.weeks, item.achievement.employer_or_course) for item in employment_checks_due(lead, today, limit=3)] == [
        (13, "Long-standing employer 7"), (13, "Long-standing employer 6"), (13, "Long-standing employer 5")]


def test_answering_a_check_records_it_and_clears_it(client, world, mentor_user):
    job = AchievementFactory(case=world.my_case, achieved_on=timezone.localdate() - timedelta(weeks=14))
    client.force_login(mentor_user)
    response = client.post(reverse("outcomes:achievement_check", kwargs={"pk": job.pk}),
                           {"weeks": "13", "in_work": "no", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    job.refresh_from_db()
    assert job.in_work_13_weeks is False and job.in_work_26_weeks is None
    assert AuditEvent.objects.filter(verb="achievement.employment_checked", client_id=world.my_client.pk).exists()
    assert due(mentor_user, timezone.localdate()) == []


def test_answering_a_check_someone_else_answered_meanwhile_keeps_their_answer(client, world, mentor_user, lead):
    job = AchievementFactory(case=world.my_case, achieved_on=timezone.localdate() - timedelta(weeks=14))
    url = reverse("outcomes:achievement_check", kwargs={"pk": job.pk})
    client.force_login(mentor_user)
    client.post(url, {"weeks": "13", "in_work": "yes"})
    client.force_login(lead)  # the lead's due list still showed the check

    response = client.post(url, {"weeks": "13", "in_work": "no", "next": "/"}, follow=True)

    assert "The 13-week check was already answered: still in work." in response.content.decode()
    job.refresh_from_db()
    assert job.in_work_13_weeks is True
    assert AuditEvent.objects.filter(verb="achievement.employment_checked", object_id=str(job.pk)).count() == 1


def test_recording_an_achievement(client, world, mentor_user):
    client.force_login(mentor_user)
    url = reverse("outcomes:achievement_create", kwargs={"pk": world.my_case.pk})
    page = client.get(url).content.decode()
    assert '<optgroup label="Employment">' in page and '<optgroup label="Practical">' in page
    kind = AchievementType.objects.get(code="employment_part_time")
    response = client.post(url, {"type": kind.pk, "achieved_on": "2026-02-02", "employer_or_course": "Harbourside Café",
                                 "hours_per_week": "16", "level": "", "evidence_noted": "on", "notes": ""})
    assert response.status_code == 302
    achievement = Achievement.objects.get(case=world.my_case)
    assert achievement.recorded_by == mentor_user and achievement.evidence_noted
    assert achievement.check_due_on(13) == date(2026, 5, 4)


def test_achievement_form_keeps_what_was_typed_on_error(client, world, mentor_user):
    client.force_login(mentor_user)
    url = reverse("outcomes:achievement_create", kwargs={"pk": world.my_case.pk})
    response = client.post(url, {"type": "", "achieved_on": "2026-02-02", "employer_or_course": "Riverside food bank",
                                 "hours_per_week": "120"})
    page = response.content.decode()
    assert response.status_code == 200 and not Achievement.objects.exists()
    assert "Riverside food bank" in page and "at most 80" in page
