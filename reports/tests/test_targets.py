"""Targets for any figure (reports.Target): actual against target, pro rata, suppressed with the
actual, in the JSON, the CSV and the page. Figures worked out by hand in each test.

The financial year 1 Apr 2026 to 31 Mar 2027 has 365 days; its first quarter, 1 Apr to 30 Jun
2026, has 30 + 31 + 30 = 91.
"""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from reports.exports import report_csv, report_json
from reports.metrics import compute_report
from reports.metrics.targets import target_rows
from reports.models import Target

from .factories import achievement, contact, make_case

FY = (date(2026, 4, 1), date(2027, 3, 31))
Q1 = (date(2026, 4, 1), date(2026, 6, 30))
pytestmark = pytest.mark.django_db


def target(programme, figure, value, period=FY):
    return Target.objects.create(programme=programme, figure=figure, value=Decimal(value),
                                 starts_on=period[0], ends_on=period[1])


def ete_cases(programme, n):
    """`n` cases started 1 Apr 2026, each with an ETE achievement in May 2026."""
    for _ in range(n):
        achievement(make_case(programme, date(2026, 4, 1)), "employment_full_time", date(2026, 5, 1))


def engaged_cases(programme, engaged, not_engaged):
    for _ in range(engaged):
        case = make_case(programme, date(2026, 4, 1))
        contact(case, date(2026, 4, 2))
        contact(case, date(2026, 4, 9))
    for _ in range(not_engaged):
        make_case(programme, date(2026, 4, 1))


def test_a_target_for_ete_outcomes_shows_actual_against_target_and_the_share_met(programme):
    ete_cases(programme, 6)
    target(programme, "clients_with_ete_outcome", 8)
    result = compute_report([programme], *FY)
    # 6 of a target of 8 over the whole year: 75.0%, nothing pro-rated.
    assert result.targets == [{"figure": "clients_with_ete_outcome", "target": 8.0, "actual": 6, "share_met": 75.0,
                               "pro_rata": False, "programmes": ["bridge"]}]


def test_a_quarter_report_pro_rates_a_yearly_count_target(programme):
    for _ in range(6):
        make_case(programme, date(2026, 4, 1))
    target(programme, "cases_worked_with", 100)
    [row] = compute_report([programme], *Q1).targets
    # 100 x 91 / 365 = 24.93 -> 24.9; 6 / 24.9 = 24.096% -> 24.1.
    assert (row["target"], row["actual"], row["share_met"], row["pro_rata"]) == (24.9, 6, 24.1, True)


def test_count_targets_of_several_programmes_are_pro_rated_each_and_added_up(programme, other_programme):
    target(programme, "cases_worked_with", 100)
    target(other_programme, "cases_worked_with", 50)
    make_case(programme, date(2026, 4, 1))
    [row] = compute_report([programme, other_programme], *Q1).targets
    # 100 x 91/365 + 50 x 91/365 = 24.932 + 12.466 = 37.397 -> 37.4; 1 / 37.4 = 2.67% -> 2.7.
    assert (row["target"], row["actual"], row["share_met"]) == (37.4, 1, 2.7)
    assert row["programmes"] == ["bridge", "elsewhere"]


def test_a_rate_target_is_not_pro_rated(programme):
    engaged_cases(programme, engaged=5, not_engaged=5)
    target(programme, "engagement_rate", 60)
    [row] = compute_report([programme], *Q1).targets
    # 5 of 10 engaged: 50.0%, against 60 for the whole year, not cut to the quarter: 50 / 60 = 83.3%.
    assert (row["target"], row["actual"], row["share_met"], row["pro_rata"]) == (60.0, 50.0, 83.3, False)


def test_a_rate_target_of_several_programmes_shows_only_when_they_all_share_it(programme, other_programme):
    engaged_cases(programme, engaged=5, not_engaged=5)
    target(programme, "engagement_rate", 60)
    assert compute_report([programme, other_programme], *FY).targets == []  # the other has none
    other = target(other_programme, "engagement_rate", 70)
    assert compute_report([programme, other_programme], *FY).targets == []  # 60 and 70: no one target
    other.value = Decimal(60)
    other.save()
    [row] = compute_report([programme, other_programme], *FY).targets
    assert (row["target"], row["share_met"], row["programmes"]) == (60.0, 83.3, ["bridge", "elsewhere"])


def test_a_suppressed_actual_hides_its_share_met(programme):
    ete_cases(programme, 3)
    target(programme, "clients_with_ete_outcome", 8)
    result = compute_report([programme], *FY)
    assert result.targets_json()[0]["share_met"] == 37.5  # 3 / 8, for internal use
    [row] = result.targets_json(suppress=True)
    # 3 is shown as "<5": 37.5% of a shown target of 8 would give the 3 back.
    assert (row["actual"], row["share_met"], row["target"]) == ("<5", "n/a", 8.0)
    data = json.loads(report_json(result, suppress=True))
    assert "37.5" not in json.dumps(data["targets"]) and "37.5" not in report_csv(result, suppress=True)


def test_a_shown_actual_keeps_its_share_met_when_suppressed(programme):
    ete_cases(programme, 6)
    target(programme, "clients_with_ete_outcome", 8)
    [row] = compute_report([programme], *FY).targets_json(suppress=True)
    assert (row["actual"], row["share_met"]) == (6, 75.0)


def test_overlapping_targets_for_the_same_figure_are_refused(programme):
    target(programme, "cases_worked_with", 100)
    overlapping = Target(programme=programme, figure="cases_worked_with", value=Decimal(30),
                         starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    with pytest.raises(ValidationError, match="1 Apr 2026 to 31 Mar 2027: the periods overlap"):
        overlapping.full_clean()
    # The next year, or another figure over the same year, is fine.
    Target(programme=programme, figure="cases_worked_with", value=Decimal(30),
           starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31)).full_clean()
    Target(programme=programme, figure="engaged", value=Decimal(30), starts_on=FY[0], ends_on=FY[1]).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):  # the database refuses the same start too
        target(programme, "cases_worked_with", 50, (FY[0], date(2026, 9, 30)))


def test_a_target_period_must_end_after_it_starts_and_a_rate_target_be_a_percentage(programme):
    with pytest.raises(ValidationError) as refused:
        Target(programme=programme, figure="engagement_rate", value=Decimal(120),
               starts_on=FY[1], ends_on=FY[0]).full_clean()
    assert set(refused.value.message_dict) == {"ends_on", "value"}
    with pytest.raises(ValidationError, match="figure"):
        Target(programme=programme, figure="cases_by_age_band", value=Decimal(5),
               starts_on=FY[0], ends_on=FY[1]).full_clean()  # a breakdown: no single figure to meet
    with pytest.raises(ValidationError, match="figure"):
        Target(programme=programme, figure="no_such_figure", value=Decimal(5), starts_on=FY[0], ends_on=FY[1]).full_clean()


def test_the_json_carries_a_targets_list_empty_without_targets(programme, other_programme):
    ete_cases(programme, 6)
    assert json.loads(report_json(compute_report([programme], *FY)))["targets"] == []
    target(programme, "clients_with_ete_outcome", 8)
    data = json.loads(report_json(compute_report([programme], *Q1)))
    # 8 x 91 / 365 = 1.99 -> 2.0; 6 / 2 = 300.0%.
    assert data["targets"] == [{"figure": "clients_with_ete_outcome", "target": 2.0, "actual": 6,
                                "share_met": 300.0, "pro_rata": True, "programmes": ["bridge"]}]


def test_the_csv_adds_a_target_and_a_share_met_row_per_target(client, manager, programme):
    ete_cases(programme, 6)
    target(programme, "clients_with_ete_outcome", 8)
    client.force_login(manager)
    response = client.get(reverse("reports:report_csv"), {"programmes": [programme.pk], "start": "2026-04-01",
                                                          "end": "2027-03-31", "suppress": "off", "internal_use": "on"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_id = {row[1]: row for row in rows[1:]}
    assert by_id["targets.clients_with_ete_outcome.target"] == [
        "Targets", "targets.clients_with_ete_outcome.target", "Target: Cases with an ETE outcome", "8.0", ""]
    assert by_id["targets.clients_with_ete_outcome.share_met"][3:] == ["75.0", "8.0"]
    assert rows[-1][1] == "targets.clients_with_ete_outcome.share_met"


def test_the_report_page_shows_a_tile_per_target(client, manager, programme):
    for _ in range(6):
        make_case(programme, date(2026, 4, 1))
    target(programme, "cases_worked_with", 100)
    client.force_login(manager)
    page = client.get(reverse("reports:report"), {"programmes": [programme.pk], "start": "2026-04-01",
                                                  "end": "2026-06-30", "suppress": "off", "internal_use": "on"})
    text = page.content.decode()
    assert "Cases worked with: share of target met" in text
    assert "24.1%" in text and "6 against a target of 24.9 (pro rata)" in text
    assert 'id="def-targets"' in text


def test_targets_take_one_query_whatever_the_number_of_targets_or_cases(programme, other_programme,
                                                                         django_assert_num_queries):
    figures = compute_report([programme, other_programme], *FY).figures
    with django_assert_num_queries(1):
        assert target_rows([programme, other_programme], *FY, figures) == []
    ete_cases(programme, 5)
    for figure in ("cases_worked_with", "engaged", "engagement_rate", "clients_with_ete_outcome"):
        target(programme, figure, 50)
        target(other_programme, figure, 50)
        target(programme, figure, 50, (date(2027, 4, 1), date(2028, 3, 31)))
    figures = compute_report([programme, other_programme], *FY).figures
    with django_assert_num_queries(1):
        assert len(target_rows([programme, other_programme], *FY, figures)) == 4


def test_an_administrator_sets_a_target_in_the_admin_and_an_overlap_is_refused_there(client, administrator,
                                                                                      programme):
    client.force_login(administrator)
    url = reverse("admin:reports_target_add")
    form = {"programme": programme.pk, "figure": "engaged_3_months_rate", "starts_on": "2026-04-01",
            "ends_on": "2027-03-31", "value": "40", "note": "Contract 2026/27"}
    assert client.post(url, form).status_code == 302
    assert Target.objects.get().figure == "engaged_3_months_rate"
    page = client.post(url, {**form, "starts_on": "2026-10-01", "ends_on": "2027-09-30"}).content.decode()
    assert "the periods overlap" in page and Target.objects.count() == 1


def test_the_pdf_and_the_suppressed_page_show_the_target_tile(client, manager, programme):
    from pypdf import PdfReader

    ete_cases(programme, 3)
    target(programme, "clients_with_ete_outcome", 8)
    client.force_login(manager)
    year = {"programmes": [programme.pk], "start": "2026-04-01", "end": "2027-03-31"}
    pdf = client.get(reverse("reports:report_pdf"), {**year, "suppress": "off", "internal_use": "on"})
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Cases with an ETE outcome: share of target met" in text
    assert "37.5%" in text and "3 against a target of 8.0" in text  # 3 / 8
    page = client.get(reverse("reports:report"), year).content.decode()  # suppressed unless confirmed
    assert "&lt;5 against a target of 8.0" in page and "37.5" not in page


def test_targets_outside_the_period_or_of_another_programme_do_not_apply(programme, other_programme):
    make_case(programme, date(2026, 4, 1))
    target(programme, "cases_worked_with", 100, (date(2025, 4, 1), date(2026, 3, 31)))  # the year before
    target(other_programme, "cases_worked_with", 100)
    assert compute_report([programme], *FY).targets == []


def test_a_rate_whose_base_is_too_small_to_show_hides_its_share_met(programme):
    engaged_cases(programme, engaged=5, not_engaged=4)  # 5 of 9: a base under 10
    target(programme, "engagement_rate", 60)
    result = compute_report([programme], *FY)
    assert result.targets_json()[0]["share_met"] == 92.7  # 5 / 9 = 55.6%; 55.6 / 60 = 92.67%
    [row] = result.targets_json(suppress=True)
    assert (row["actual"], row["share_met"], row["target"]) == ("n/a", "n/a", 60.0)
