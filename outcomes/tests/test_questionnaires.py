from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from clients.models import ClosureReason
from mentors.services import close_case
from outcomes.models import Question, Questionnaire

pytestmark = pytest.mark.django_db


def answers(**overrides):
    data = {f"answer_{q.code}": "5" for q in Question.objects.filter(active=True)}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_exit_questionnaire_before_closure_is_saved_with_a_warning(client, world, mentor_user):
    client.force_login(mentor_user)
    url = reverse("outcomes:questionnaire_create", kwargs={"pk": world.my_case.pk})
    assert "This case is still open" in client.get(url).content.decode()
    response = client.post(url, {"completed_on": timezone.localdate().isoformat(), "comments": "Thanks.", **answers()}, follow=True)
    questionnaire = Questionnaire.objects.get(case=world.my_case)
    assert questionnaire.answers.count() == Question.objects.filter(active=True).count()
    assert "normally completed at or after closure" in response.content.decode()


def test_exit_questionnaire_after_closure_needs_every_answer(client, world, lead):
    close_case(world.my_case, reason=ClosureReason.objects.first(), by=lead)
    client.force_login(lead)
    url = reverse("outcomes:questionnaire_create", kwargs={"pk": world.my_case.pk})
    data = answers(answer_would_recommend=None, answer_helped_motivation="9")
    data.update(completed_on=timezone.localdate().isoformat(), comments="My mentor never gave up on me.")
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and not Questionnaire.objects.exists()
    assert "Choose an answer for “I would recommend the service" in page
    assert "Choose one of the five answers for “The service helped my motivation" in page
    assert "My mentor never gave up on me." in page
    response = client.post(url, {**answers(), "completed_on": timezone.localdate().isoformat()}, follow=True)
    assert Questionnaire.objects.filter(case=world.my_case).exists()
    assert "normally completed at or after closure" not in response.content.decode()


def test_printable_questionnaire_has_every_question_with_blank_boxes(client, world, mentor_user):
    client.force_login(mentor_user)
    page = client.get(reverse("outcomes:questionnaire_print", kwargs={"pk": world.my_case.pk})).content.decode()
    for question in Question.objects.filter(active=True):
        assert question.text in page
    assert page.count('class="tick"') == 5 * Question.objects.filter(active=True).count()
    assert "Strongly disagree" in page
    # Its print rules come from a static stylesheet (the CSP allows no inline style).
    assert '<link rel="stylesheet" href="/static/css/questionnaire-print.css">' in page
    assert "@media print" in Path(finders.find("css/questionnaire-print.css")).read_text()
