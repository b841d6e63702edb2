"""Small numbers stay hidden (docs/metrics.md, "Small numbers"): in the JSON, the CSV, the page
and the PDF alike, with secondary suppression worked out by hand, and suppression on unless a
user confirms the report is for internal use only (which the audit trail records)."""

import csv
import html
import io
import re
import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from contacts.models import SupportSpend
from mentoring.models import AuditEvent
from mentoring.tests.factories import ProgrammeFactory
from reports.charts import bar_chart
from reports.metrics import SpendFigures, _median_sql, compute_report
from reports.suppression import HIDDEN, NA, suppress

from .factories import achievement, assessment, contact, make_case, offence, questionnaire, referral, risk_flag

D = date
PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}
# A count from 1 to 4 standing on its own: not part of a larger number, a decimal, money or a percentage.
SMALL_COUNT = re.compile(r"(?<![\w.,£<])[1-4](?![\w.,%])")


@pytest.fixture
def three(db):
    """A cohort of 3 cases with something in every section of the report."""
    programme = ProgrammeFactory(code="three", name="Three people", engagement_min_contacts=2, target_clients=40)
    c1 = make_case(programme, D(2024, 2, 1), dob=D(2003, 1, 1))
    c2 = make_case(programme, D(2024, 2, 1), dob=D(2003, 1, 1))
    c3 = make_case(programme, D(2024, 2, 1), dob=D(1994, 1, 1), ended_on=D(2024, 10, 31), closure="completed")
    for case in (c1, c2, c3):
        contact(case, D(2024, 2, 5), activities=["goal_setting", "job_search"])
        contact(case, D(2024, 9, 5), minutes=45, activities=["job_search"])
    contact(c1, D(2024, 10, 5), minutes=30)
    achievement(c1, "employment_full_time", D(2024, 6, 1))
    achievement(c2, "cscs_card", D(2024, 7, 1))
    achievement(c3, "volunteering_started", D(2024, 8, 1))
    for case in (c1, c2, c3):
        questionnaire(case, D(2024, 10, 1), would_recommend=5, helped_motivation=4)
    referral(programme, D(2024, 1, 10), "probation", case=c1)
    referral(programme, D(2024, 1, 12), "probation", case=c2)
    referral(programme, D(2024, 1, 15), "self", case=c3)
    for case, category, amount in ((c1, "travel", "12.50"), (c2, "travel", "8.00"), (c3, "work_clothing", "45.00")):
        SupportSpend.objects.create(case=case, spent_on=D(2024, 3, 1), category=category, amount=Decimal(amount))
    for case in (c1, c2):
        assessment(case, D(2024, 2, 10), motivation=3, use_of_time=4)
        assessment(case, D(2024, 8, 10), motivation=6, use_of_time=5)
    offence(c1, "theft_from_person", D(2023, 10, 1), D(2023, 11, 1))  # before support: a trajectory case
    offence(c2, "robbery", D(2024, 5, 1), D(2024, 6, 1))  # during support
    risk_flag(c3)
    return programme


def leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    else:
        yield value


def small_counts(texts):
    return [text for text in texts if SMALL_COUNT.search(text)]


def _plain(fragment):
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment)).strip()


def page_numbers(page):
    """The figure and breakdown cells, the tiles and the charts' texts of the report page,
    before its appendix (whose reference values - severities, price years - are not counts) and
    without the progress wheel's scale (its rings' scores 2, 4 ... 10 are an axis, not counts)."""
    body = re.sub(r'<g class="wheel-scale".*?</g>', "", page.split('id="appendix"')[0], flags=re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
    tiles = re.findall(r'<p class="tile-(?:value|base)[^"]*">(.*?)</p>', body, re.S)
    charts = re.findall(r"<(?:text|desc)[^>]*>(.*?)</(?:text|desc)>", body, re.S)
    return [_plain(item) for item in cells + tiles + charts]


def pdf_text(content):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = text.split("Appendix: definitions and reference values")[0]
    text = re.sub(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}\b", " ", text)  # dates
    text = re.sub(r"Page \d+ of \d+", " ", text)
    text = re.sub(r"\b\d{1,2}:\d{2}\b", " ", text)  # the time it was generated
    text = re.sub(r"\b2\n4\n6\n8\n10\b", " ", text)  # the progress wheel's scale: an axis, not counts
    text = re.sub(r"\b(?:3|6) months\b", " ", text)  # "Engaged for 3 months": a label, not a count
    return text


@pytest.mark.django_db
def test_suppressed_csv_page_and_pdf_of_a_cohort_of_3_contain_no_count_from_1_to_4(client, manager, three):
    query = {"programmes": [three.pk], **PERIOD}  # suppressed: nobody asked otherwise
    client.force_login(manager)

    csv_response = client.get(reverse("reports:report_csv"), query)
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))[1:]
    by_id = {row[1]: row for row in rows}
    assert by_id["cases_worked_with"][3:] == ["<5", ""]
    assert by_id["engagement_rate"][3:] == ["n/a", "<5"]  # the base too, never the raw 3
    assert by_id["questionnaire_agree_rate.would_recommend"][3:] == ["n/a", "<5"]
    assert by_id["engagement_span_days.mean"][3:] == ["n/a", "<5"]
    assert by_id["estimated_cost_avoided"][3] == "n/a"
    assert by_id["contact_hours"][3] == "n/a"
    assert small_counts([cell for row in rows for cell in row[3:]]) == []

    page = client.get(reverse("reports:report"), query).content.decode()
    numbers = page_numbers(page)
    assert "<5" in numbers and "n/a" in numbers
    assert "Support spend" in page and "Travel or taxi" in page
    assert small_counts(numbers) == []

    pdf = client.get(reverse("reports:report_pdf"), query)
    text = pdf_text(pdf.content)
    assert "Three people" in text and "<5" in text
    assert small_counts(text.split()) == [], re.findall(r".{30}" + SMALL_COUNT.pattern + r".{30}", text)

    shared = compute_report([three], D(2024, 1, 1), D(2024, 12, 31)).as_json(suppress=True)
    assert [value for value in leaves(shared) if value in (1, 2, 3, 4) and not isinstance(value, bool)] == []


@pytest.mark.django_db
def test_the_same_cohort_shows_every_number_for_internal_use(client, manager, three):
    client.force_login(manager)
    query = {"programmes": [three.pk], **PERIOD, "suppress": "off", "internal_use": "on"}
    rows = {row[1]: row for row in csv.reader(io.StringIO(client.get(reverse("reports:report_csv"), query)
                                                             .content.decode()))}
    assert rows["cases_worked_with"][3] == "3"
    assert rows["engagement_rate"][3:] == ["100.0", "3"]
    assert "3 of 3 cases" in client.get(reverse("reports:report"), query).content.decode()


def test_secondary_suppression_hides_the_next_smallest_cell_when_one_is_hidden():
    figures = {
        # 12 + 3 + 7 = 22: "self" alone hidden would be 22 - 12 - 7; so the next smallest (7) goes too.
        "referrals_received": 22,
        "referrals_by_source": {"probation": 12, "self": 3, "iom": 7, "hospital": 0},
        # 1 + 1 + 20 = 22, two hidden: both could only be 1 (they add up to 2), so 20 goes too;
        # then they add up to 22 - 0 with 20 somewhere from 5 to 22: 1 to 4 each, not given away.
        "cases_worked_with": 22,
        "cases_by_age_band": {"under_18": 1, "18_21": 1, "22_25": 20, "26_35": 0},
        # 1 + 5: hiding the 5 too leaves 1 + (5 or 6) = 6 with the 5 at least 5: the 1 is still
        # given away, so the whole breakdown is hidden.
        "cases_closed": {"completed": 1, "disengaged": 5, "custody": 0},
        # Not additive (a contact counts once per activity): the count rule alone.
        "sessions_by_activity": {"goal_setting": 3, "job_search": 9},
    }
    shown = suppress(figures, {}).figures
    assert shown["referrals_by_source"] == {"probation": 12, "self": "<5", "iom": HIDDEN, "hospital": 0}
    assert shown["cases_by_age_band"] == {"under_18": "<5", "18_21": "<5", "22_25": HIDDEN, "26_35": 0}
    assert shown["cases_closed"] == {"completed": HIDDEN, "disengaged": HIDDEN, "custody": HIDDEN}
    assert shown["sessions_by_activity"] == {"goal_setting": "<5", "job_search": 9}

    # Two hidden that could be 1 + 4, 2 + 3...: nothing more to hide.
    figures = {"referrals_received": 25, "referrals_by_source": {"probation": 20, "self": 3, "iom": 2}}
    assert suppress(figures, {}).figures["referrals_by_source"] == {"probation": 20, "self": "<5", "iom": "<5"}


def test_a_rate_is_hidden_when_it_would_give_a_hidden_count_back():
    figures = {"cases_worked_with": 20, "risk_to_others_rate": 10.0, "no_reoffending_rate": 85.0,
               "reoffended_during_support": 3, "engagement_rate": 90.0, "engaged": 18}
    bases = {"risk_to_others_rate": 20, "no_reoffending_rate": 20, "engagement_rate": 20}
    numerators = {"risk_to_others_rate": 2, "no_reoffending_rate": 17, "engagement_rate": 18}
    shown = suppress(figures, bases, numerators=numerators).figures
    assert shown["risk_to_others_rate"] == NA  # 10% of 20 is 2 people
    assert shown["no_reoffending_rate"] == NA  # 85% of 20 leaves the 3 who re-offended
    assert shown["engagement_rate"] == 90.0


def test_rates_by_age_band_cannot_give_back_a_hidden_count_by_subtraction():
    # Engaged 6 months: 10 of 20 aged 18 to 21, 2 of 15 aged 22 to 25 (hidden: a count of 2), 12 in all.
    # Leaving 50.0% of 20 shown would give 12 - 10 = 2 back: that rate is hidden too.
    figures = {"cases_worked_with": 35, "cases_by_age_band": {"18_21": 20, "22_25": 15, "26_35": 0},
               "engaged_6_months": 12,
               "engaged_6_months_rate_by_age_band": {"18_21": 50.0, "22_25": 13.3, "26_35": None}}
    bases = {"engaged_6_months_rate_by_age_band": {"18_21": 20, "22_25": 15, "26_35": 0}}
    numerators = {"engaged_6_months_rate_by_age_band": {"18_21": 10, "22_25": 2, "26_35": 0}}
    shown = suppress(figures, bases, numerators=numerators).figures
    assert shown["engaged_6_months_rate_by_age_band"] == {"18_21": NA, "22_25": NA, "26_35": None}


def test_achievement_cells_overlap_but_a_union_cannot_pin_a_hidden_one():
    # ETE cases 9 = employment 5 + qualification 4 with no overlap: the union less the shown 5
    # leaves at least 4 for qualification, which can be no more than 4. So employment is hidden,
    # and its types with it (they would bound it). Volunteering's hidden 2 overlaps nothing shown.
    figures = {
        "clients_with_ete_outcome": 9,
        "clients_by_achievement_category": {"employment": 5, "education_training": 0, "qualification": 4,
                                            "volunteering": 2, "practical": 0},
        "clients_by_achievement_type": {"employment_full_time": 5, "cscs_card": 4, "volunteering_started": 2},
    }
    categories = {"employment_full_time": "employment", "cscs_card": "qualification",
                  "volunteering_started": "volunteering"}
    shown = suppress(figures, {}, type_categories=categories).figures
    assert shown["clients_by_achievement_category"] == {
        "employment": HIDDEN, "education_training": 0, "qualification": "<5", "volunteering": "<5", "practical": 0}
    assert shown["clients_by_achievement_type"] == {
        "employment_full_time": HIDDEN, "cscs_card": "<5", "volunteering_started": "<5"}

    # With overlap the union leaves no such bound (12 ETE cases, employment 10, qualification 4).
    figures["clients_with_ete_outcome"] = 12
    figures["clients_by_achievement_category"]["employment"] = 10
    figures["clients_by_achievement_type"]["employment_full_time"] = 10
    shown = suppress(figures, {}, type_categories=categories).figures
    assert shown["clients_by_achievement_category"]["employment"] == 10


def test_money_from_fewer_than_5_cases_is_hidden_with_the_next_smallest_category():
    spend = SpendFigures(total=Decimal("900"), items=14, cases=12, categories=[
        {"category": "travel", "label": "Travel", "total": Decimal("600"), "items": 9, "cases": 8},
        {"category": "food", "label": "Food", "total": Decimal("200"), "items": 3, "cases": 3},
        {"category": "phone", "label": "Phone", "total": Decimal("100"), "items": 2, "cases": 5},
    ])
    shown = suppress({"estimated_cost_avoided": 12460}, {}, people={"estimated_cost_avoided": 4}, spend=spend)
    assert shown.figures["estimated_cost_avoided"] == NA  # from 4 trajectory cases
    assert [(row["total"], row["items"]) for row in shown.spend.categories] == [
        (Decimal("600"), 9), (NA, "<5"), (HIDDEN, "<5")]  # 900 - 600 - 100 would give Food's 200 back
    assert shown.spend.total == Decimal("900")


def test_charts_draw_no_bar_for_a_suppressed_value():
    svg = bar_chart([("Probation", "<5"), ("Self-referral", 12), ("Court", 0)], title="Referrals by source")
    assert svg.count("<rect") == 2
    assert "&lt;5" in svg


def test_the_median_span_on_sqlite_is_the_middle_value_or_the_mean_of_the_middle_two():
    """`make run` uses SQLite, which has no percentile_cont: the fallback must agree with PostgreSQL's."""
    with sqlite3.connect(":memory:") as db:
        for spans, median in (([0, 1, 14, 90, 91, 181, 182, 305], 90.5), ([3, 1, 2], 2), ([7], 7), ([], None)):
            values = " UNION ALL ".join(f"SELECT {span} AS span" for span in [*spans, "NULL"])
            row = db.execute(f"WITH per_case AS ({values}) SELECT {_median_sql('span', vendor='sqlite')} "  # noqa: S608
                             "FROM per_case").fetchone()
            assert row[0] == median, spans


@pytest.mark.django_db
def test_reports_hide_small_numbers_unless_internal_use_is_confirmed(client, manager, three):
    client.force_login(manager)
    url = reverse("reports:report")
    form = client.get(url).context["form"]
    assert form["suppress"].value() == "on"  # hidden by default

    response = client.get(url, {"programmes": [three.pk], **PERIOD, "suppress": "off"})
    page = response.content.decode()
    assert "confirm that this report is for internal use only" in page
    assert 'value="2024-01-01"' in page  # what was typed is kept
    assert "result" not in response.context or response.context.get("result") is None
    unconfirmed = client.get(reverse("reports:report_csv"), {"programmes": [three.pk], **PERIOD, "suppress": "off"})
    assert unconfirmed.status_code == 400 and b"internal use only" in unconfirmed.content
    assert not AuditEvent.objects.filter(verb__startswith="report.").exists()

    client.get(reverse("reports:report_csv"), {"programmes": [three.pk], **PERIOD})
    assert AuditEvent.objects.get(verb="report.csv").detail["suppressed"] is True

    internal = {"programmes": [three.pk], **PERIOD, "suppress": "off", "internal_use": "on"}
    client.get(url, internal)
    client.get(reverse("reports:report_pdf"), internal)
    viewed = AuditEvent.objects.get(verb="report.viewed_unsuppressed")
    assert viewed.user == manager and viewed.action == AuditEvent.Action.VIEW
    assert viewed.detail["suppressed"] is False
    assert viewed.detail["small_numbers"] == "shown: confirmed for internal use only"
    pdf = AuditEvent.objects.get(verb="report.pdf")
    assert pdf.detail["suppressed"] is False and "internal use only" in pdf.detail["small_numbers"]
