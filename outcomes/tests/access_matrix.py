"""Outcomes URLs in the access matrix (tests/test_access_matrix.py).

Assessments, achievements and questionnaires follow the case: a mentor on their current
cases, a lead in their programmes, a manager everywhere. Offence records are for leads and
managers only: a mentor gets 403 for their own client and 404 for anyone else's.
"""

from mentoring.tests.access import Row, scoped_rows
from outcomes.tests.factories import AchievementFactory, make_assessment

SCORES = [5] * 10


def _case(name):
    # The pk of the world's `name` (a case, or for offences and custody a client).
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


EVERY_CASE = ("my_case", "past_case", "other_case", "far_case")
CURRENT_CASES = ("my_case", "other_case", "far_case")
CLIENTS = ("my_client", "other_client", "far_client")

MATRIX = [
    # Assessments
    *scoped_rows("outcomes:assessment_create", _case, *EVERY_CASE),
    *scoped_rows("outcomes:assessment_detail", _assessment, *EVERY_CASE),
    *scoped_rows("outcomes:assessment_update", _assessment, *EVERY_CASE),
    # Achievements and the employment check
    *scoped_rows("outcomes:achievement_create", _case, *CURRENT_CASES),
    *scoped_rows("outcomes:achievement_update", _achievement, *EVERY_CASE),
    Row("outcomes:achievement_check", _achievement("my_case"), method="post", data=_check_data,
        mentor=302, lead=302, manager=302),
    Row("outcomes:achievement_check", _achievement("other_case"), method="post", data=_check_data,
        label="other mentor", mentor=404, lead=302, manager=302),
    Row("outcomes:achievement_check", _achievement("far_case"), method="post", data=_check_data,
        label="other programme", mentor=404, lead=404, manager=302),
    Row("outcomes:achievement_check", _achievement("my_case"), label="GET", default=405, anonymous=405),
    # Offences and custody: leads and managers only
    *scoped_rows("outcomes:offence_list", _case, *CLIENTS, mine=403),
    *scoped_rows("outcomes:offence_create", _case, "my_client", mine=403),
    Row("outcomes:offence_create", _case("my_client"), method="post", data=_offence_data,
        label="POST", mentor=403, lead=302, manager=302),
    *scoped_rows("outcomes:offence_create", _case, "other_client", "far_client"),
    *scoped_rows("outcomes:custody_create", _case, *CLIENTS, mine=403),
    # Exit questionnaire
    *scoped_rows("outcomes:questionnaire_create", _case, *CURRENT_CASES),
    *scoped_rows("outcomes:questionnaire_print", _case, *EVERY_CASE),
]
