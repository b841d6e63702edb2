"""Each programme asks its own exit questions: chosen from the organisation's bank, in its own
order, some required and the others answerable "Not asked"; the report's agree rates count the
answers that rate a statement, over bases that say so."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes.models import Answer, ProgrammeQuestion, Question, Questionnaire
from reports.metrics import compute_report
from reports.tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def statements(db):
    """Two statements of the seeded bank: motivation (required) and recommend (optional)."""
    return Question.objects.get(code="helped_motivation"), Question.objects.get(code="would_recommend")


@pytest.fixture
def chosen(programme, statements):
    motivation, recommend = statements
    # The programme asks recommend first, then motivation; it does not require recommend.
    ProgrammeQuestion.objects.create(programme=programme, question=recommend, required=False, order=1)
    ProgrammeQuestion.objects.create(programme=programme, question=motivation, required=True, order=2)
    return statements


def _url(case):
    return reverse("outcomes:questionnaire_create", kwargs={"pk": case.pk})


def test_a_programme_asks_only_the_statements_it_chose_in_its_own_order(client, world, mentor_user, chosen):
    client.force_login(mentor_user)
    form = client.get(_url(world.my_case)).context["form"]
    assert [q.code for q in form.questions] == ["would_recommend", "helped_motivation"]
    page = client.get(_url(world.my_case)).content.decode()
    assert "The service helped me make better use of my time." not in page  # in the bank, not chosen
    # "Not asked" is offered for the optional statement only.
    assert page.count(">Not asked</label>") == 1


def test_a_statement_the_programme_does_not_require_can_be_answered_not_asked(client, world, mentor_user, chosen):
    client.force_login(mentor_user)
    today = timezone.localdate().isoformat()
    response = client.post(_url(world.my_case), {
        "completed_on": today, "answer_would_recommend": "not_asked", "answer_helped_motivation": "4",
    })
    assert response.status_code == 302
    answers = dict(Answer.objects.filter(questionnaire__case=world.my_case).values_list("question__code", "answer"))
    assert answers == {"would_recommend": None, "helped_motivation": 4}


def test_a_required_statement_cannot_be_answered_not_asked_and_nothing_is_saved(client, world, mentor_user, chosen):
    client.force_login(mentor_user)
    response = client.post(_url(world.my_case), {
        "completed_on": timezone.localdate().isoformat(), "answer_would_recommend": "5",
        "answer_helped_motivation": "not_asked",
    })
    assert response.status_code == 200 and not Questionnaire.objects.exists()
    assert "Choose one of the five answers for “The service helped my motivation" in response.content.decode()


def test_a_programme_that_chose_none_asks_every_active_statement_and_requires_each(client, world, mentor_user):
    client.force_login(mentor_user)
    form = client.get(_url(world.my_case)).context["form"]
    assert [q.code for q in form.questions] == list(Question.objects.filter(active=True).values_list("code", flat=True))
    assert ">Not asked</label>" not in client.get(_url(world.my_case)).content.decode()


def test_the_paper_version_lists_the_programmes_statements(client, world, mentor_user, chosen):
    client.force_login(mentor_user)
    page = client.get(reverse("outcomes:questionnaire_print", kwargs={"pk": world.my_case.pk})).content.decode()
    assert page.index("I would recommend the service") < page.index("The service helped my motivation")
    assert "The service helped me make better use of my time." not in page


def test_agree_rates_count_the_answers_that_rate_a_statement_over_bases_that_say_so(programme, chosen):
    """Four questionnaires in 2024. Motivation: 5, 4, 2, 3 -> 2 agree of 4 answers, 50.0%.
    Recommend: 4, not asked, not asked, 5 -> 2 agree of 2 answers, 100.0%."""
    motivation, recommend = chosen
    for n, (motivation_rating, recommend_rating) in enumerate([(5, 4), (4, None), (2, None), (3, 5)]):
        case = make_case(programme, date(2024, 1, 10), ended_on=date(2024, 6, 1), closure="completed")
        questionnaire = Questionnaire.objects.create(case=case, completed_on=date(2024, 6, 1 + n))
        Answer.objects.create(questionnaire=questionnaire, question=motivation, answer=motivation_rating)
        Answer.objects.create(questionnaire=questionnaire, question=recommend, answer=recommend_rating)
    result = compute_report([programme], date(2024, 1, 1), date(2024, 12, 31))
    assert result.figures["questionnaires_completed"] == 4
    # Only the statements the programme asks are reported, in the bank's order.
    assert result.figures["questionnaire_agree_rate"] == {"helped_motivation": 50.0, "would_recommend": 100.0}
    assert result.bases["questionnaire_agree_rate"] == {"helped_motivation": 4, "would_recommend": 2}
    assert result.numerators["questionnaire_agree_rate"] == {"helped_motivation": 2, "would_recommend": 2}


def test_a_report_of_programmes_that_chose_none_lists_every_statement_as_before(programme):
    result = compute_report([programme], date(2024, 1, 1), date(2024, 12, 31))
    assert list(result.figures["questionnaire_agree_rate"]) == list(
        Question.objects.order_by("order", "code").values_list("code", flat=True)
    )


def test_a_report_of_two_programmes_lists_what_either_asks(programme, other_programme, chosen):
    """`programme` chose two statements; `other_programme` chose none, so it asks every active one."""
    result = compute_report([programme, other_programme], date(2024, 1, 1), date(2024, 12, 31))
    assert set(result.figures["questionnaire_agree_rate"]) == set(
        Question.objects.filter(active=True).values_list("code", flat=True)
    )
    only_chosen = compute_report([programme], date(2024, 1, 1), date(2024, 12, 31))
    assert set(only_chosen.figures["questionnaire_agree_rate"]) == {"helped_motivation", "would_recommend"}
