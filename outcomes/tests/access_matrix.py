"""Outcomes URLs in the access matrix (tests/test_access_matrix.py).

Assessments, achievements and questionnaires follow the case: a mentor on their current
cases, a lead in their programmes, a manager everywhere. Offence records are for leads and
managers only: a mentor gets 403 for their own client and 404 for anyone else's.
"""

from mentoring.tests.access import Row
from outcomes.tests.factories import AchievementFactory, make_assessment

SCORES = [5] * 10


def _case(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _assessment(name):
    # One assessment a case: several rows (detail, edit) may ask for the same case's.
    def kwargs(w):
        from outcomes.models import Assessment

        case = getattr(w, name)
        existing = Assessment.objects.filter(case=case).first()
        return {"pk": (existing or make_assessment(case, SCORES)).pk}

    return kwargs


def _achievement(name):
    return lambda w: {"pk": AchievementFactory(case=getattr(w, name)).pk}


def _check_data(w):
    return {"weeks": "13", "in_work": "yes"}


def _offence_data(w):
    from outcomes.models import OffenceCategory

    return {"offence_date": "2025-03-01", "conviction_date": "2025-05-01", "source": "police",
            "category": OffenceCategory.objects.get(code="shoplifting").pk, "description": "Took food."}


MATRIX = [
    # Assessments
    Row("outcomes:assessment_create", _case("my_case"), mentor=200, lead=200, manager=200),
    Row("outcomes:assessment_create", _case("past_case"), label="past allocation", mentor=404, lead=200, manager=200),
    Row("outcomes:assessment_create", _case("other_case"), label="other mentor", mentor=404, lead=200, manager=200),
    Row("outcomes:assessment_create", _case("far_case"), label="other programme", mentor=404, lead=404, manager=200),
    Row("outcomes:assessment_detail", _assessment("my_case"), mentor=200, lead=200, manager=200),
    Row("outcomes:assessment_detail", _assessment("past_case"), label="past allocation", mentor=404, lead=200, manager=200),
    Row("outcomes:assessment_detail", _assessment("other_case"), label="other mentor", mentor=404, lead=200, manager=200),
    Row("outcomes:assessment_detail", _assessment("far_case"), label="other programme", mentor=404, lead=404, manager=200),
    Row("outcomes:assessment_update", _assessment("my_case"), mentor=200, lead=200, manager=200),
    Row("outcomes:assessment_update", _assessment("past_case"), label="past allocation", mentor=404, lead=200, manager=200),
    Row("outcomes:assessment_update", _assessment("other_case"), label="other mentor", mentor=404, lead=200, manager=200),
    Row("outcomes:assessment_update", _assessment("far_case"), label="other programme", mentor=404, lead=404, manager=200),
    # Achievements and the employment check
    Row("outcomes:achievement_create", _case("my_case"), mentor=200, lead=200, manager=200),
    Row("outcomes:achievement_create", _case("other_case"), label="other mentor", mentor=404, lead=200, manager=200),
    Row("outcomes:achievement_create", _case("far_case"), label="other programme", mentor=404, lead=404, manager=200),
    Row("outcomes:achievement_update", _achievement("my_case"), mentor=200, lead=200, manager=200),
    Row("outcomes:achievement_update", _achievement("past_case"), label="past allocation", mentor=404, lead=200, manager=200),
    Row("outcomes:achievement_update", _achievement("other_case"), label="other mentor", mentor=404, lead=200, manager=200),
    Row("outcomes:achievement_update", _achievement("far_case"), label="other programme", mentor=404, lead=404, manager=200),
    Row("outcomes:achievement_check", _achievement("my_case"), method="post", data=_check_data,
        mentor=302, lead=302, manager=302),
    Row("outcomes:achievement_check", _achievement("other_case"), method="post", data=_check_data,
        label="other mentor", mentor=404, lead=302, manager=302),
    Row("outcomes:achievement_check", _achievement("far_case"), method="post", data=_check_data,
        label="other programme", mentor=404, lead=404, manager=302),
    Row("outcomes:achievement_check", _achievement("my_case"), label="GET", default=405, anonymous=405),
    # Offences and custody: leads and managers only
    Row("outcomes:offence_list", lambda w: {"pk": w.my_client.pk}, mentor=403, lead=200, manager=200),
    Row("outcomes:offence_list", lambda w: {"pk": w.other_client.pk}, label="other mentor", mentor=404, lead=200, manager=200),
    Row("outcomes:offence_list", lambda w: {"pk": w.far_client.pk}, label="other programme", mentor=404, lead=404, manager=200),
    Row("outcomes:offence_create", lambda w: {"pk": w.my_client.pk}, mentor=403, lead=200, manager=200),
    Row("outcomes:offence_create", lambda w: {"pk": w.my_client.pk}, method="post", data=_offence_data,
        label="POST", mentor=403, lead=302, manager=302),
    Row("outcomes:offence_create", lambda w: {"pk": w.other_client.pk}, label="other mentor", mentor=404, lead=200, manager=200),
    Row("outcomes:offence_create", lambda w: {"pk": w.far_client.pk}, label="other programme", mentor=404, lead=404, manager=200),
    Row("outcomes:custody_create", lambda w: {"pk": w.my_client.pk}, mentor=403, lead=200, manager=200),
    Row("outcomes:custody_create", lambda w: {"pk": w.other_client.pk}, label="other mentor", mentor=404, lead=200, manager=200),
    Row("outcomes:custody_create", lambda w: {"pk": w.far_client.pk}, label="other programme", mentor=404, lead=404, manager=200),
    # Exit questionnaire
    Row("outcomes:questionnaire_create", _case("my_case"), mentor=200, lead=200, manager=200),
    Row("outcomes:questionnaire_create", _case("other_case"), label="other mentor", mentor=404, lead=200, manager=200),
    Row("outcomes:questionnaire_create", _case("far_case"), label="other programme", mentor=404, lead=404, manager=200),
    Row("outcomes:questionnaire_print", _case("my_case"), mentor=200, lead=200, manager=200),
    Row("outcomes:questionnaire_print", _case("past_case"), label="past allocation", mentor=404, lead=200, manager=200),
    Row("outcomes:questionnaire_print", _case("other_case"), label="other mentor", mentor=404, lead=200, manager=200),
    Row("outcomes:questionnaire_print", _case("far_case"), label="other programme", mentor=404, lead=404, manager=200),
]
