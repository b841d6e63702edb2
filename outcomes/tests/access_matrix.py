"""Outcomes URLs in the access matrix (tests/test_access_matrix.py).

Assessments, achievements and questionnaires follow the case: a mentor on their current
cases, a lead in their programmes, a manager everywhere. Offence records are for leads and
managers only: a mentor gets 403 for their own client and 404 for anyone else's.
"""

from mentoring.tests.access import Row
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


LABELS = {"my": "", "past": "past allocation", "other": "other mentor", "far": "other programme"}


def _scoped(name, kwargs, *names, mine=200):
    """Rows for a URL that follows the case, one per record named (`my_case`, `past_case`, ...): the
    mentor gets `mine` on their current case and 404 elsewhere, a lead 200 in their programmes and
    404 outside them, a manager 200 everywhere."""
    return [
        Row(name, kwargs(record), label=LABELS[record.split("_")[0]],
            mentor=mine if record.startswith("my_") else 404, lead=404 if record.startswith("far_") else 200,
            manager=200)
        for record in names
    ]


EVERY_CASE = ("my_case", "past_case", "other_case", "far_case")
CURRENT_CASES = ("my_case", "other_case", "far_case")
CLIENTS = ("my_client", "other_client", "far_client")

MATRIX = [
    # Assessments
    *_scoped("outcomes:assessment_create", _case, *EVERY_CASE),
    *_scoped("outcomes:assessment_detail", _assessment, *EVERY_CASE),
    *_scoped("outcomes:assessment_update", _assessment, *EVERY_CASE),
    # Achievements and the employment check
    *_scoped("outcomes:achievement_create", _case, *CURRENT_CASES),
    *_scoped("outcomes:achievement_update", _achievement, *EVERY_CASE),
    Row("outcomes:achievement_check", _achievement("my_case"), method="post", data=_check_data,
        mentor=302, lead=302, manager=302),
    Row("outcomes:achievement_check", _achievement("other_case"), method="post", data=_check_data,
        label="other mentor", mentor=404, lead=302, manager=302),
    Row("outcomes:achievement_check", _achievement("far_case"), method="post", data=_check_data,
        label="other programme", mentor=404, lead=404, manager=302),
    Row("outcomes:achievement_check", _achievement("my_case"), label="GET", default=405, anonymous=405),
    # Offences and custody: leads and managers only
    *_scoped("outcomes:offence_list", _case, *CLIENTS, mine=403),
    *_scoped("outcomes:offence_create", _case, "my_client", mine=403),
    Row("outcomes:offence_create", _case("my_client"), method="post", data=_offence_data,
        label="POST", mentor=403, lead=302, manager=302),
    *_scoped("outcomes:offence_create", _case, "other_client", "far_client"),
    *_scoped("outcomes:custody_create", _case, *CLIENTS, mine=403),
    # Exit questionnaire
    *_scoped("outcomes:questionnaire_create", _case, *CURRENT_CASES),
    *_scoped("outcomes:questionnaire_print", _case, *EVERY_CASE),
]
