"""The report's outputs: the page, CSV, PDF, the command, case studies and the Justice Data Lab file."""

import csv
import io
import json
import re
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from mentoring.models import AuditEvent
from mentoring.tests.factories import ProgrammeFactory
from mentoring.utils import spreadsheet_safe as safe_cell
from reports.models import CaseStudy

from .factories import assessment, contact, make_case, referral

PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}


@pytest.fixture
def small(programme):
    """Two cases in `programme` (led by charlie), one engaged; one case in another programme."""
    engaged = make_case(programme, date(2024, 2, 1), police_ref="01/123456A")
    contact(engaged, date(2024, 2, 5))
    contact(engaged, date(2024, 3, 5))
    referral(programme, date(2024, 1, 20), "probation", case=engaged)
    make_case(programme, date(2024, 3, 1))
    elsewhere = ProgrammeFactory(code="elsewhere2", name="Elsewhere two")
    make_case(elsewhere, date(2024, 3, 1))
    return engaged


def query(programme, **extra):
    return {"programmes": [programme.pk], **PERIOD, **extra}


INTERNAL = {"suppress": "off", "internal_use": "on"}  # every number shown, confirmed for internal use


@pytest.mark.django_db
def test_lead_sees_headline_figures_with_their_bases(client, lead, programme, small):
    client.force_login(lead)
    response = client.get(reverse("reports:report"), query(programme, **INTERNAL))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 of 2 cases" in page  # engaged, with its base
    assert "1 of 1 referrals" in page
    assert "Justice Data Lab" in page  # the re-offending caveat
    assert "Appendix: definitions and reference values" in page
    assert "<svg" in page


@pytest.mark.django_db
def test_lead_cannot_report_on_a_programme_they_do_not_lead(client, lead, programme, other_programme, small):
    client.force_login(lead)
    response = client.get(reverse("reports:report"), {"programmes": [other_programme.pk], **PERIOD})
    assert response.status_code == 200
    assert "result" not in response.context or response.context.get("result") is None
    assert response.context["form"].errors["programmes"]
    assert client.get(reverse("reports:report_csv"), {"programmes": [other_programme.pk], **PERIOD}).status_code == 400


@pytest.mark.django_db
def test_quick_pick_becomes_explicit_dates(client, manager, programme):
    client.force_login(manager)
    response = client.get(reverse("reports:report"), {"programmes": [programme.pk], "period": "last_month"})
    assert response.status_code == 302
    assert "start=" in response["Location"] and "period" not in response["Location"]


@pytest.mark.django_db
def test_csv_has_one_row_per_figure_and_is_audited(client, manager, programme, small):
    client.force_login(manager)
    response = client.get(reverse("reports:report_csv"), query(programme, **INTERNAL))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "metric id", "label", "value", "base"]
    by_id = {row[1]: row for row in rows[1:]}
    assert by_id["cases_worked_with"][3] == "2"
    assert by_id["engagement_rate"][3:] == ["50.0", "2"]
    assert by_id["engagement_span_days.mean"][3:] == ["29.0", "1"]  # 5 Feb to 5 Mar 2024, one case
    assert by_id["engagement_span_days.median"][3:] == ["29.0", "1"]
    assert by_id["referrals_by_source.probation"][3] == "1"
    assert by_id["assessment_change_by_domain.motivation.first_mean"][3] == ""
    event = AuditEvent.objects.get(verb="report.csv")
    assert event.action == AuditEvent.Action.EXPORT and event.detail["programmes"] == ["bridge"]


def test_csv_cells_cannot_start_a_formula():
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("+1") == "'+1"
    assert safe_cell("-500") == "'-500"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Job search") == "Job search"
    assert safe_cell(None) == ""


@pytest.mark.django_db
def test_pdf_has_cover_headlines_and_definitions(client, manager, programme, small, settings):
    settings.ORGANISATION_NAME = "Northgate Mentoring Trust"
    client.force_login(manager)
    response = client.get(reverse("reports:report_pdf"), query(programme, **INTERNAL))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Northgate Mentoring Trust" in text
    assert "Bridge 18-25" in text
    assert "1 Jan 2024 to 31 Dec 2024" in text
    assert "50.0%" in text  # engagement rate headline
    assert "1 of 2 cases" in text
    assert "Appendix: definitions and reference values" in text
    assert "Page 2 of" in text
    assert "Internal use only: every number is shown." in text  # the cover says who may read it
    assert AuditEvent.objects.filter(verb="report.pdf").exists()


@pytest.mark.django_db
def test_report_command_writes_json_and_rejects_unknown_programmes(programme, small, tmp_path):
    out = tmp_path / "r.json"
    call_command("report", "--programme", "bridge", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--format", "json", "--output", str(out))
    data = json.loads(out.read_text())
    assert data["cases_worked_with"] == 2 and data["engaged"] == 1
    assert data["engagement_span_days"] == {"mean": 29.0, "median": 29.0}
    with pytest.raises(CommandError, match="Unknown programme"):
        call_command("report", "--programme", "nope", "--from", "2024-01-01", "--to", "2024-12-31")
    with pytest.raises(CommandError, match="--output"):
        call_command("report", "--programme", "bridge", "--from", "2024-01-01", "--to", "2024-12-31",
                     "--format", "pdf")
    stdout = io.StringIO()
    call_command("report", "--programme", "bridge", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--format", "csv", stdout=stdout)
    assert stdout.getvalue().startswith("section,metric id,label,value,base")


@pytest.mark.django_db
def test_mentor_writes_a_case_study_that_a_manager_includes_in_the_report(
    client, mentor_user, manager, programme, small
):
    from mentors.models import Allocation
    from tests.world import mentor_profile

    alice = mentor_profile(mentor_user, programme)
    Allocation.objects.create(case=small, mentor=alice, started_on=small.started_on)
    client.force_login(mentor_user)
    url = reverse("reports:case_study_create", kwargs={"pk": small.pk})
    response = client.post(url, {"title": "Back on track", "story": "", "consent_given_on": "2024-05-01"})
    assert response.status_code == 200 and "Back on track" in response.content.decode()  # nothing typed is lost
    response = client.post(url, {"title": "Back on track", "story": "They found steady work.",
                                 "consent_given_on": "2024-05-01"})
    assert response.status_code == 302
    study = CaseStudy.objects.get()
    assert study.written_by == mentor_user and not study.approved_for_reports

    client.force_login(manager)
    page = client.get(reverse("reports:report"), query(programme)).content.decode()
    assert "They found steady work." not in page
    client.post(reverse("reports:case_study_toggle", kwargs={"pk": study.pk}), {"include": "1"})
    study.refresh_from_db()
    assert study.approved_for_reports
    page = client.get(reverse("reports:report"), query(programme)).content.decode()
    assert "They found steady work." in page


@pytest.mark.django_db
def test_justice_data_lab_file_warns_under_60_and_is_audited(client, manager, programme, small):
    client.force_login(manager)
    url = reverse("reports:jdl_export")
    page = client.get(url, query(programme))
    assert page.context["cohort_size"] == 2
    assert "Fewer than 60 people" in page.content.decode()
    response = client.get(url, query(programme, download="1"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["surname", "forename", "date_of_birth", "gender", "intervention_start_date", "pnc_id"]
    assert ["2024-02-01", "01/123456A"] in [row[4:] for row in rows[1:]]
    assert len(rows) == 3
    event = AuditEvent.objects.get(verb="report.jdl_export")
    assert event.detail["people"] == 2


@pytest.mark.django_db
def test_justice_data_lab_export_records_who_was_in_the_file_by_client_id_only(client, manager, programme, small):
    client.force_login(manager)
    client.get(reverse("reports:jdl_export"), query(programme, download="1"))
    event = AuditEvent.objects.get(verb="report.jdl_export")
    in_cohort = sorted(programme.cases.values_list("client_id", flat=True))
    assert event.detail["client_ids"] == in_cohort and event.detail["people"] == 2
    recorded = json.dumps(event.detail)
    assert small.client.last_name not in recorded and "01/123456A" not in recorded


@pytest.mark.django_db
def test_justice_data_lab_cohort_is_the_reports_cohort(client, manager, programme, small):
    from reports.metrics import compute_report

    make_case(programme, date(2023, 1, 1), ended_on=date(2023, 12, 31), closure="completed")  # ended before
    make_case(programme, date(2025, 1, 1))  # starts after
    client.force_login(manager)
    page = client.get(reverse("reports:jdl_export"), query(programme))
    report = compute_report([programme], date(2024, 1, 1), date(2024, 12, 31))
    assert page.context["cohort_size"] == report.figures["cases_worked_with"] == 2


@pytest.fixture
def assessed(programme):
    """Two cases assessed twice on the progress wheel: every domain 4 at first, 6 at the latest."""
    from outcomes.models import Domain

    codes = list(Domain.objects.filter(template__code="progress_wheel").order_by("order", "code")
                 .values_list("code", flat=True))
    for _ in range(2):
        case = make_case(programme, date(2024, 2, 1))
        assessment(case, date(2024, 2, 2), **dict.fromkeys(codes, 4))
        assessment(case, date(2024, 6, 2), **dict.fromkeys(codes, 6))
    return codes


def _shapes(page):
    return [[tuple(float(n) for n in pair.split(",")) for pair in points.split()]
            for points in re.findall(r'class="wheel-series-shape" points="([^"]+)"', page)]


@pytest.mark.django_db
def test_report_draws_the_progress_wheel_of_a_case_page_in_the_page_and_the_pdf(client, manager, programme, assessed):
    from outcomes.charts import point_for

    client.force_login(manager)
    page = client.get(reverse("reports:report"), query(programme, **INTERNAL)).content.decode()
    assert 'class="wheel-chart" id="wheel-report"' in page
    assert _shapes(page) == [[point_for(i, len(assessed), score) for i in range(len(assessed))] for score in (4, 6)]
    pdf = client.get(reverse("reports:report_pdf"), query(programme, **INTERNAL)).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Latest assessment (mean, solid)" in text


def _legend(svg):
    """The legend's (line style, words) pairs of the first radar chart in `svg`."""
    group = re.search(r'<g class="wheel-legend".*?</g>', svg, re.S).group(0)
    return [(("dashed" if "stroke-dasharray" in line else "solid"), stroke, words)
            for line, stroke, words in re.findall(r'(<line[^>]*stroke="([^"]+)"[^>]*/>)<text[^>]*>([^<]+)</text>', group)]


@pytest.mark.django_db
def test_progress_wheel_legend_is_the_same_on_the_report_page_in_its_pdf_and_on_a_case_page(
        client, manager, programme, assessed):
    from outcomes.models import Assessment
    from reports.exports import report_html
    from reports.metrics import compute_report

    client.force_login(manager)
    page = client.get(reverse("reports:report"), query(programme, **INTERNAL)).content.decode()
    in_page = _legend(page[page.index('id="wheel-report"'):])
    assert in_page == [("dashed", "#6c757d", "First assessment (mean, dashed grey)"),
                       ("solid", "#0b5e55", "Latest assessment (mean, solid)")]
    # The PDF is drawn from this HTML: the same lines, and its text names the same series.
    printed = report_html(compute_report([programme], date(2024, 1, 1), date(2024, 12, 31)))
    assert _legend(printed[printed.index('id="wheel-report"'):]) == in_page
    pdf = client.get(reverse("reports:report_pdf"), query(programme, **INTERNAL)).content
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for _, _, words in in_page:
        assert "".join(words.split()) in text, words

    # A case page's wheel uses the same words and lines, with the two dates.
    latest = Assessment.objects.filter(assessed_on=date(2024, 6, 2)).first()
    case_page = client.get(reverse("outcomes:assessment_detail", kwargs={"pk": latest.pk})).content.decode()
    assert _legend(case_page) == [("dashed", "#6c757d", "First assessment (2 Feb 2024, dashed grey)"),
                                  ("solid", "#0b5e55", "Latest assessment (2 Jun 2024, solid)")]


@pytest.mark.django_db
def test_the_report_pdf_is_drawn_in_the_print_stylesheet(client, manager, programme, small):
    from mentoring.tests.pdftext import size_of, text_sizes
    from reports.exports import report_html
    from reports.metrics import compute_report

    assert "<style" not in report_html(compute_report([programme], date(2024, 1, 1), date(2024, 12, 31)))
    client.force_login(manager)
    pdf = client.get(reverse("reports:report_pdf"), query(programme, **INTERNAL)).content
    assert size_of(pdf, "Programme report") == 22  # .print h1
    runs = [run for run, _size in text_sizes(pdf)]
    assert "Waymark report" in runs  # the page footer of @page, from the second page on
    assert any(run.startswith("Page 2 of ") for run in runs)
