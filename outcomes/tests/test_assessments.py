import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from outcomes.models import Assessment, AssessmentTemplate

pytestmark = pytest.mark.django_db


def domain_codes():
    return list(AssessmentTemplate.objects.get(code="progress_wheel").domains.values_list("code", flat=True))


def full_post(**overrides):
    data = {"template": "progress_wheel", "assessed_on": "2026-02-03", "stage": "initial"}
    for number, code in enumerate(domain_codes()):
        data[f"score_{code}"] = str(number % 10 + 1)
        data[f"comment_{code}"] = ""
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_assessment_form_shows_every_domain_with_its_prompts(client, world, mentor_user):
    client.force_login(mentor_user)
    response = client.get(reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk}) + "?stage=exit")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="card mb-3 domain"') == 10
    assert "I don&#x27;t see the point in changing" in page  # Motivation's low band prompt
    assert 'value="exit" selected' in page


def test_saving_an_assessment_keeps_scores_comments_and_who_completed_it(client, world, mentor_user):
    client.force_login(mentor_user)
    url = reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk})
    response = client.post(url, full_post(comment_motivation="I want to sort myself out."))
    assessment = Assessment.objects.get(case=world.my_case)
    assert response.status_code == 302 and response["Location"] == reverse("outcomes:assessment_detail", kwargs={"pk": assessment.pk})
    assert assessment.completed_by == mentor_user and assessment.assessed_on == date(2026, 2, 3)
    assert assessment.stage == "initial"
    scores = {s.domain.code: (s.score, s.comment) for s in assessment.scores.select_related("domain")}
    assert scores["motivation"] == (1, "I want to sort myself out.")
    assert scores["education_employment"] == (10, "")


def test_assessment_with_missing_or_out_of_range_scores_is_refused_with_a_message_per_domain(client, world, mentor_user):
    client.force_login(mentor_user)
    url = reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk})
    data = full_post(score_motivation=None, score_use_of_time="11", score_offending="0",
                     score_social_networks="7", comment_motivation="Some days are harder than others.")
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert not Assessment.objects.exists()
    assert "Motivation: choose a score from 1 to 10." in page
    assert "Use of time: the score must be a whole number from 1 to 10." in page
    assert "Staying out of trouble: the score must be a whole number from 1 to 10." in page
    assert "People around me:" not in page.split("<form")[0]  # no message for a valid domain
    assert "There is a problem" in page
    # Nothing typed is lost: the comment and the valid score are still there.
    assert "Some days are harder than others." in page
    assert re.search(r'<input[^>]*name="score_social_networks" value="7"[^>]*checked', page)
    form = response.context["form"]
    assert set(form.errors) == {"score_motivation", "score_use_of_time", "score_offending"}
    assert form["score_social_networks"].value() == "7"
    assert form["comment_motivation"].value() == "Some days are harder than others."


def test_one_domain_at_a_time_posts_the_same_data_as_all_at_once(client, world, mentor_user):
    client.force_login(mentor_user)
    url = reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk})
    codes = domain_codes()
    assert client.get(url + "?step=0").context["show_details"]
    data = {"template": "progress_wheel", "step": "0", "action": "next", "assessed_on": "2026-02-03", "stage": "review"}
    response = client.post(url, data)
    assert response.context["current_step"] == 1
    carried = dict(response.context["carried"])
    assert carried["assessed_on"] == "2026-02-03" and carried["stage"] == "review"

    # A step without its score is refused with that domain's message and stays put.
    response = client.post(url, {**carried, "template": "progress_wheel", "step": "1", "action": "next", "comment_motivation": "Keen"})
    assert response.context["current_step"] == 1
    assert [e["message"] for e in response.context["error_list"]] == ["Motivation: choose a score from 1 to 10."]
    assert "Keen" in response.content.decode()

    fields = {"assessed_on": "2026-02-03", "stage": "review"}
    for step, code in enumerate(codes, start=1):
        fields[f"score_{code}"] = str(step)
        fields[f"comment_{code}"] = f"words {step}"
        response = client.post(url, {**fields, "template": "progress_wheel", "step": str(step),
                                     "action": "save" if step == len(codes) else "next"})
        if step < len(codes):
            assert response.status_code == 200 and response.context["current_step"] == step + 1
            assert not response.context["error_list"]
    assert response.status_code == 302
    assessment = Assessment.objects.get(case=world.my_case)
    assert assessment.stage == "review"
    assert sorted(assessment.scores.values_list("score", flat=True)) == list(range(1, 11))
    assert assessment.scores.get(domain__code=codes[0]).comment == "words 1"


def test_a_second_assessment_on_the_same_day_is_refused(client, world, mentor_user):
    client.force_login(mentor_user)
    url = reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk})
    client.post(url, full_post())
    response = client.post(url, full_post())
    assert response.status_code == 200 and Assessment.objects.count() == 1
    assert "already has a progress wheel dated 3 Feb 2026" in response.content.decode()


def test_assessment_page_shows_the_wheel_against_the_first_one(client, world, mentor_user):
    from outcomes.tests.factories import make_assessment

    make_assessment(world.my_case, [3] * 10, on=date(2026, 1, 5))
    latest = make_assessment(world.my_case, [6] * 10, on=date(2026, 3, 5), stage="review")
    client.force_login(mentor_user)
    response = client.get(reverse("outcomes:assessment_detail", kwargs={"pk": latest.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="wheel-series-shape"') == 2
    assert "10 of 10 domains improved" in page


def test_a_second_initial_assessment_is_offered_as_a_review_keeping_what_was_typed(client, world, mentor_user):
    from outcomes.tests.factories import make_assessment

    make_assessment(world.my_case, [3] * 10, on=date(2026, 3, 3))
    client.force_login(mentor_user)
    url = reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk})
    typed = full_post(assessed_on="2026-04-14", comment_motivation="Better than last month.")

    response = client.post(url, typed)

    page = response.content.decode()
    assert response.status_code == 200 and Assessment.objects.count() == 1
    assert "This case already has an initial assessment on 3 Mar 2026. Record this as a review?" in page
    assert "Better than last month." in page and 'value="2026-04-14"' in page
    assert re.search(r'<button[^>]*name="as_review"[^>]*>Record it as a review</button>', page)

    response = client.post(url, {**typed, "as_review": "yes"})

    assert response.status_code == 302
    review = Assessment.objects.get(assessed_on=date(2026, 4, 14))
    assert review.stage == "review"
    assert review.scores.get(domain__code="motivation").comment == "Better than last month."


def test_changing_a_review_into_a_second_initial_assessment_is_refused(client, world, lead):
    from outcomes.tests.factories import make_assessment

    make_assessment(world.my_case, [3] * 10, on=date(2026, 3, 3))
    review = make_assessment(world.my_case, [5] * 10, on=date(2026, 5, 3), stage="review")
    client.force_login(lead)
    url = reverse("outcomes:assessment_update", kwargs={"pk": review.pk})
    response = client.post(url, full_post(assessed_on="2026-05-03", stage="initial", version=str(review.version)))
    assert response.status_code == 200
    assert "already has an initial assessment on 3 Mar 2026" in response.content.decode()
    review.refresh_from_db()
    assert review.stage == "review"


def test_a_review_within_the_programmes_days_asks_for_confirmation_and_saves_when_confirmed(client, world, mentor_user):
    from django.utils import timezone

    from outcomes.tests.factories import make_assessment

    today = timezone.localdate()
    make_assessment(world.my_case, [3] * 10, on=today - timedelta(days=12))
    client.force_login(mentor_user)
    url = reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk})
    typed = full_post(assessed_on=today.isoformat(), stage="review", comment_offending="Kept out of it.")

    response = client.post(url, typed)

    page = response.content.decode()
    assert response.status_code == 200 and Assessment.objects.count() == 1
    assert "The last assessment was 12 days ago" in page and "Save anyway?" in page
    assert "at least 28 days apart" in page
    assert "Kept out of it." in page

    response = client.post(url, {**typed, "confirm_gap": "yes"})

    assert response.status_code == 302 and Assessment.objects.count() == 2


def test_a_review_after_the_programmes_days_saves_without_a_question(client, world, mentor_user):
    from outcomes.tests.factories import make_assessment

    world.my_case.programme.review_gap_days = 10
    world.my_case.programme.save()
    make_assessment(world.my_case, [3] * 10, on=date(2026, 1, 20))
    client.force_login(mentor_user)
    url = reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk})

    response = client.post(url, full_post(stage="review"))  # 3 Feb 2026: 14 days later

    assert response.status_code == 302 and Assessment.objects.count() == 2


def test_a_close_review_on_a_phone_one_step_at_a_time_saves_when_confirmed(client, world, mentor_user):
    from outcomes.tests.factories import make_assessment

    make_assessment(world.my_case, [3] * 10, on=date(2026, 1, 27))
    client.force_login(mentor_user)
    url = reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk})
    data = {**full_post(stage="review"), "step": "10", "action": "save"}
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["current_step"] == 0
    assert "The last assessment was 7 days before this one (27 Jan 2026). Save anyway?" in response.content.decode()
    response = client.post(url, {**data, "step": "0", "confirm_gap": "yes"})
    assert response.status_code == 302 and Assessment.objects.count() == 2


def test_a_case_is_offered_its_programmes_own_template_first_then_the_progress_wheel(client, world, mentor_user):
    star = AssessmentTemplate.objects.create(code="outcome_star", name="Outcome star", scale_max=5)
    star.domains.create(code="work", label="Work", order=1)
    AssessmentTemplate.objects.create(code="another_tool", name="Another tool")
    url = reverse("outcomes:assessment_create", kwargs={"pk": world.my_case.pk})
    client.force_login(mentor_user)

    # No programme names a template: the progress wheel first, as before.
    page = client.get(url).content.decode()
    assert page.index("Use another template") < page.index("Another tool") < page.index("Outcome star")
    assert 'name="template" value="progress_wheel"' in page

    star.programmes.add(world.my_case.programme)
    page = client.get(url).content.decode()
    assert 'name="template" value="outcome_star"' in page
    offered = page[page.index("Use another template"):]
    assert offered.index("Progress wheel") < offered.index("Another tool")
    assert [t.code for t in AssessmentTemplate.objects.offered_for(world.my_case.programme)] == [
        "outcome_star", "progress_wheel", "another_tool"]
    # Another programme's case is not offered it first.
    assert AssessmentTemplate.objects.offered_for(world.far_case.programme)[0].code == "progress_wheel"
