"""The breakdowns funders ask for (issue 16, point 6): contacts and hours by mode, and the cohort
by client characteristics, with their small-number suppression and the report filters they add."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Ethnicity, Gender
from contacts.models import Attendance, Mode
from mentoring.tests.factories import ProgrammeFactory
from reports.metrics import compute_report
from reports.suppression import HIDDEN, NA, suppress

from .factories import contact, make_case

START, END = date(2024, 1, 1), date(2024, 12, 31)
D = date
NO_MODES = dict.fromkeys(Mode.values, 0)


@pytest.fixture
def mixed(db):
    """Cases with contacts of every mode, and clients answering the questions (or not)."""
    p = ProgrammeFactory(code="mixed", name="Mixed")
    c1 = make_case(p, D(2024, 1, 1), care_experienced=True, parent_in_prison=True, gender=Gender.FEMALE,
                   ethnicity=Ethnicity.ASIAN_INDIAN)
    for day in (5, 12, 19):
        contact(c1, D(2024, 2, day))  # face to face, 60 min each
    contact(c1, D(2024, 3, 1), minutes=30, mode=Mode.PHONE)
    c2 = make_case(p, D(2024, 2, 1), care_experienced=True, parent_in_prison=False)
    contact(c2, D(2024, 4, 1), minutes=45, mode=Mode.VIDEO)
    contact(c2, D(2024, 4, 8), minutes=45, mode=Mode.VIDEO)
    contact(c2, D(2024, 4, 15), minutes=90, mode=Mode.GROUP)
    contact(c2, D(2024, 4, 22), mode=Mode.MESSAGE)  # a text: never an attended contact
    c3 = make_case(p, D(2023, 1, 1), care_experienced=False)
    contact(c3, D(2023, 6, 1))  # before the period
    contact(c3, D(2024, 6, 1), attendance=Attendance.DID_NOT_ATTEND)  # missed: never counts
    make_case(p, D(2024, 5, 1))  # nothing answered
    make_case(p, D(2025, 1, 1), care_experienced=True)  # starts after the period: not in the cohort
    return p


@pytest.mark.django_db
def test_contacts_and_hours_by_mode_add_up_to_the_reports_own_totals(mixed):
    figures = compute_report([mixed], START, END).figures
    # Attended in 2024: C1 3 face to face (180 min) and 1 phone (30); C2 2 video (90) and 1 group (90).
    assert figures["contacts_by_mode"] == {**NO_MODES, "face_to_face": 3, "phone": 1, "video": 2, "group": 1}
    assert figures["contact_hours_by_mode"] == {**dict.fromkeys(Mode.values, 0.0), "face_to_face": 3.0,
                                                "phone": 0.5, "video": 1.5, "group": 1.5}
    assert figures["contacts_attended"] == sum(figures["contacts_by_mode"].values()) == 7
    assert figures["contact_hours"] == sum(figures["contact_hours_by_mode"].values()) == 6.5


@pytest.mark.django_db
def test_cases_by_care_experience_count_yes_no_and_not_recorded(mixed):
    figures = compute_report([mixed], START, END).figures
    assert figures["cases_worked_with"] == 4
    assert figures["cases_by_care_experience"] == {"yes": 2, "no": 1, "not_recorded": 1}
    assert figures["cases_by_parent_in_prison"] == {"yes": 1, "no": 1, "not_recorded": 2}
    assert figures["cases_by_gender"] == {**dict.fromkeys(Gender.values, 0), "female": 1, "not_known": 3}
    assert figures["cases_by_ethnicity"] == {**dict.fromkeys(Ethnicity.values, 0), "asian_indian": 1,
                                             "not_recorded": 3}


@pytest.mark.django_db
def test_a_report_filtered_to_care_experienced_clients_counts_only_them(mixed):
    def cases(**filters):
        return compute_report([mixed], START, END, filters=filters).figures["cases_worked_with"]

    assert cases(care_experienced="yes") == 2
    assert cases(care_experienced="no") == 1
    assert cases(care_experienced="not_recorded") == 1
    assert cases(parent_in_prison="yes") == 1
    assert cases(care_experienced="yes", parent_in_prison="no") == 1
    only = compute_report([mixed], START, END, filters={"care_experienced": "yes"}).figures
    assert only["contacts_attended"] == 7  # C1's and C2's contacts: the others have none in the period


@pytest.mark.django_db
def test_the_report_page_filters_by_care_experience_and_shows_the_new_tables(client, manager, programme):
    make_case(programme, D(2024, 2, 1), care_experienced=True)
    make_case(programme, D(2024, 2, 1), care_experienced=False)
    client.force_login(manager)
    query = {"programmes": [programme.pk], "start": "2024-01-01", "end": "2024-12-31",
             "suppress": "off", "internal_use": "on"}
    page = client.get(reverse("reports:report"), {**query, "care_experienced": "yes"})
    assert page.status_code == 200
    assert page.context["result"].figures["cases_worked_with"] == 1
    html = page.content.decode()
    for caption in ("Contacts attended and their hours, by mode", "Cases by care experience",
                    "Cases by parent in prison", "Cases by gender", "Cases by ethnicity"):
        assert caption in html


def _hidden_cells_cannot_be_worked_out(shown, total):
    """With the cells shown and the total, at least two cells are unknown, so none is pinned."""
    unknown = [code for code, value in shown.items() if not isinstance(value, (int, float))]
    assert len(unknown) >= 2
    assert total - sum(value for value in shown.values() if isinstance(value, (int, float))) > 0


def test_a_small_mode_is_hidden_and_cannot_be_derived_from_contacts_attended():
    raw = {**NO_MODES, "face_to_face": 12, "phone": 3, "video": 5}
    shown = suppress({"contacts_attended": 20, "contacts_by_mode": raw}, {}).figures
    assert shown["contacts_by_mode"] == {**NO_MODES, "face_to_face": 12, "phone": "<5", "video": HIDDEN}
    _hidden_cells_cannot_be_worked_out(shown["contacts_by_mode"], 20)


def test_a_modes_hours_from_few_cases_are_hidden_and_cannot_be_derived_from_contact_hours():
    hours = {**dict.fromkeys(Mode.values, 0.0), "face_to_face": 20.0, "phone": 2.5, "video": 7.5}
    cases = {**NO_MODES, "face_to_face": 10, "phone": 2, "video": 6}
    shown = suppress({"contact_hours": 30.0, "contact_hours_by_mode": hours}, {},
                     people={"contact_hours": 12, "contact_hours_by_mode": cases}).figures
    assert shown["contact_hours"] == 30.0
    assert shown["contact_hours_by_mode"] == {**dict.fromkeys(Mode.values, 0.0), "face_to_face": 20.0,
                                              "phone": NA, "video": HIDDEN}
    _hidden_cells_cannot_be_worked_out(shown["contact_hours_by_mode"], 30.0)


@pytest.mark.parametrize("key, raw, expected", [
    ("cases_by_care_experience", {"yes": 3, "no": 9, "not_recorded": 8},
     {"yes": "<5", "no": 9, "not_recorded": HIDDEN}),
    ("cases_by_parent_in_prison", {"yes": 2, "no": 12, "not_recorded": 6},
     {"yes": "<5", "no": 12, "not_recorded": HIDDEN}),
    ("cases_by_gender", {**dict.fromkeys(Gender.values, 0), "female": 1, "male": 13, "not_known": 6},
     {**dict.fromkeys(Gender.values, 0), "female": "<5", "male": 13, "not_known": HIDDEN}),
    ("cases_by_ethnicity", {**dict.fromkeys(Ethnicity.values, 0), "not_recorded": 7, Ethnicity.values[0]: 4,
                            Ethnicity.values[1]: 9},
     {**dict.fromkeys(Ethnicity.values, 0), "not_recorded": HIDDEN, Ethnicity.values[0]: "<5",
      Ethnicity.values[1]: 9}),
])
def test_a_small_characteristic_cell_is_hidden_and_cannot_be_derived_from_cases_worked_with(key, raw, expected):
    shown = suppress({"cases_worked_with": 20, key: raw}, {}).figures
    assert shown[key] == expected
    _hidden_cells_cannot_be_worked_out(shown[key], 20)


def _cohort_of(programme, n):
    for i in range(n):
        case = make_case(programme, D(2024, 1, 1 + i % 28), care_experienced=[True, False, None][i % 3],
                         gender=Gender.values[i % len(Gender.values)])
        contact(case, D(2024, 2, 1 + i % 28), mode=Mode.values[i % len(Mode.values)])


@pytest.mark.django_db
def test_the_breakdowns_take_the_same_queries_for_3_cases_as_for_30():
    few, many = ProgrammeFactory(code="few"), ProgrammeFactory(code="many")
    _cohort_of(few, 3)
    _cohort_of(many, 30)
    with CaptureQueriesContext(connection) as three:
        compute_report([few], START, END)
    with CaptureQueriesContext(connection) as thirty:
        figures = compute_report([many], START, END).figures
    assert figures["cases_by_care_experience"] == {"yes": 10, "no": 10, "not_recorded": 10}
    assert len(thirty) == len(three)


def _referred_by(programme, names):
    from .factories import referral

    for name in names:
        item = referral(programme, D(2024, 3, 1), "probation")
        item.referrer_organisation = name
        item.save(update_fields=["referrer_organisation"])


@pytest.mark.django_db
def test_referrals_by_referrer_organisation_group_spellings_and_sum_the_tail():
    p = ProgrammeFactory(code="orgs")
    # Northshire Probation three ways (4 referrals), 11 others with 3, 2 and 1 each, 2 blank.
    _referred_by(p, ["Northshire Probation", " northshire probation ", "NORTHSHIRE PROBATION",
                     "Northshire Probation", "", "  "])
    others = [f"Agency {letter}" for letter in "ABCDEFGHIJK"]
    _referred_by(p, [others[0]] * 3 + [others[1]] * 2 + others[2:])
    figures = compute_report([p], START, END)
    cells = figures.figures["referrals_by_referrer_organisation"]
    # Top 10: Northshire 4, A 3, B 2, then C..I (1 each, alphabetical); J and K are the tail.
    assert cells == {"northshire probation": 4, "agency a": 3, "agency b": 2,
                     **{name.lower(): 1 for name in others[2:9]}, "not_recorded": 2, "other_organisations": 2}
    assert figures.labels["referrals_by_referrer_organisation"]["northshire probation"] == "Northshire Probation"
    assert sum(cells.values()) == figures.figures["referrals_received"] == 20


def test_a_small_referrer_organisation_is_hidden_and_cannot_be_derived_from_referrals_received():
    raw = {"northshire probation": 12, "agency a": 2, "not_recorded": 6, "other_organisations": 0}
    shown = suppress({"referrals_received": 20, "referrals_by_referrer_organisation": raw}, {}).figures
    assert shown["referrals_by_referrer_organisation"] == {"northshire probation": 12, "agency a": "<5",
                                                           "not_recorded": HIDDEN, "other_organisations": 0}
    _hidden_cells_cannot_be_worked_out(shown["referrals_by_referrer_organisation"], 20)
