"""Progress sections: a programme's own assessment template, worked out by hand.

Period 1 Jan 2024 to 31 Dec 2024. Programme "star" names its own template, "Outcome star"
(scores 1 to 5; domains Work and learning, then Home). Programme "wheel" names none, so it
uses the progress wheel.

  star  S1  1 Feb work 2 home 3; 1 Jun work 4 home 2   (also a progress wheel pair, motivation 3 -> 7)
        S2  1 Mar work 1 home 2; 1 May work 5 home 5; 1 Sep work 3 home 4   (latest is 1 Sep)
        S3  1 Apr work 3 home 4; 1 Aug work 2 home 4
        S4  one assessment only (1 Feb): not a follow-up
        S5  1 Mar, then 5 Jan 2025, after as_of: not a follow-up
  wheel W1  motivation 4 -> 6;  W2  motivation 5 -> 5

Outcome star over star's cases: follow-ups S1 S2 S3 = 3.
  work: first 2, 1, 3 -> mean 2.0; latest 4, 3, 2 -> mean 3.0; improved S1, S2 = 2; 2 / 3 = 66.7%
  home: first 3, 2, 4 -> mean 3.0; latest 2, 4, 4 -> 10 / 3 = 3.3; improved S2 = 1; 1 / 3 = 33.3%
Progress wheel over wheel's cases: follow-ups 2; motivation first 4.5, latest 5.5, improved 1 (W1), 50.0%.
"""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from mentoring.tests.factories import ProgrammeFactory
from outcomes.models import AssessmentTemplate
from reports.exports import report_csv, report_html, report_json, report_pdf
from reports.metrics import compute_report

from .factories import assessment, make_case

START, END = date(2024, 1, 1), date(2024, 12, 31)
D = date
STAR_CHANGE = {
    "work": {"first_mean": 2.0, "latest_mean": 3.0, "improved": 2, "improved_rate": 66.7},
    "home": {"first_mean": 3.0, "latest_mean": 3.3, "improved": 1, "improved_rate": 33.3},
}


def star_template(programme):
    star = AssessmentTemplate.objects.create(code="outcome_star", name="Outcome star", scale_max=5)
    star.domains.create(code="work", label="Work and learning", order=1)
    star.domains.create(code="home", label="Home", order=2)
    star.programmes.add(programme)
    return star


def star_pair(case, first_on, latest_on, first, latest):
    assessment(case, first_on, template="outcome_star", work=first[0], home=first[1])
    assessment(case, latest_on, template="outcome_star", work=latest[0], home=latest[1])


@pytest.fixture
def star(db):
    programme = ProgrammeFactory(code="star", name="Star service")
    star_template(programme)
    s1 = make_case(programme, D(2024, 1, 10))
    star_pair(s1, D(2024, 2, 1), D(2024, 6, 1), (2, 3), (4, 2))
    assessment(s1, D(2024, 2, 1), motivation=3)
    assessment(s1, D(2024, 6, 1), motivation=7)
    s2 = make_case(programme, D(2024, 1, 10))
    star_pair(s2, D(2024, 3, 1), D(2024, 9, 1), (1, 2), (3, 4))
    assessment(s2, D(2024, 5, 1), template="outcome_star", work=5, home=5)
    s3 = make_case(programme, D(2024, 1, 10))
    star_pair(s3, D(2024, 4, 1), D(2024, 8, 1), (3, 4), (2, 4))
    assessment(make_case(programme, D(2024, 1, 10)), D(2024, 2, 1), template="outcome_star", work=5, home=5)
    star_pair(make_case(programme, D(2024, 1, 10)), D(2024, 3, 1), D(2025, 1, 5), (1, 1), (5, 5))
    return programme


def wheel_programme(extra_cases=0):
    programme = ProgrammeFactory(code=f"wheel{extra_cases}", name=f"Wheel service {extra_cases}")
    for first, latest in [(4, 6), (5, 5)] + [(3, 4)] * extra_cases:
        case = make_case(programme, D(2024, 1, 10))
        assessment(case, D(2024, 2, 1), motivation=first)
        assessment(case, D(2024, 7, 1), motivation=latest)
    return programme


@pytest.fixture
def wheel(db):
    return wheel_programme()


@pytest.mark.django_db
def test_a_programme_with_its_own_template_reports_its_followups_and_domain_changes(star):
    result = compute_report([star], START, END)
    assert result.figures["assessment_followups"] == 3
    assert result.figures["assessment_change_by_domain"] == STAR_CHANGE
    assert list(result.figures["assessment_change_by_domain"]) == ["work", "home"]  # the domains' order
    assert result.template_name == "Outcome star" and result.scale_max == 5
    assert result.labels["assessment_change_by_domain"] == {"work": "Work and learning", "home": "Home"}
    [section] = json.loads(report_json(result))["progress_sections"]
    assert section == {"template": "outcome_star", "template_name": "Outcome star", "programmes": ["star"],
                       "assessment_followups": 3, "assessment_change_by_domain": STAR_CHANGE}


@pytest.mark.django_db
def test_another_programmes_default_template_is_unaffected(star, wheel):
    alone = compute_report([wheel], START, END)
    assert alone.figures["assessment_followups"] == 2
    assert alone.figures["assessment_change_by_domain"]["motivation"] == {
        "first_mean": 4.5, "latest_mean": 5.5, "improved": 1, "improved_rate": 50.0}

    both = compute_report([star, wheel], START, END)
    first, second = both.progress_sections
    assert (first.template, first.programmes) == ("outcome_star", ["star"])
    assert (second.template, second.programmes) == ("progress_wheel", ["wheel0"])
    assert first.figures == {"assessment_followups": 3, "assessment_change_by_domain": STAR_CHANGE}
    assert second.figures == {key: alone.figures[key] for key in second.figures}
    assert second.bases == {key: alone.bases[key] for key in second.bases}
    # The flat figures are the first section's; the star service's own progress wheel pair (S1)
    # is not the wheel programme's.
    assert both.figures["assessment_followups"] == 3
    assert [s["template"] for s in json.loads(report_json(both))["progress_sections"]] == [
        "outcome_star", "progress_wheel"]


@pytest.mark.django_db
def test_an_explicit_template_is_read_over_the_whole_cohort(star, wheel):
    wheel_template = AssessmentTemplate.objects.get(code="progress_wheel")
    result = compute_report([star, wheel], START, END, template=wheel_template)
    [section] = result.progress_sections
    assert section.programmes == ["star", "wheel0"]
    assert result.figures["assessment_followups"] == 3  # S1, W1, W2
    assert result.figures["assessment_change_by_domain"]["motivation"] == {
        "first_mean": 4.0, "latest_mean": 6.0, "improved": 2, "improved_rate": 66.7}  # (3+4+5)/3, (7+6+5)/3


@pytest.mark.django_db
def test_report_command_template_option_forces_one_template_and_rejects_an_unknown_code(star, tmp_path):
    out = tmp_path / "r.json"
    call_command("report", "--programme", "star", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--template", "progress_wheel", "--output", str(out))
    data = json.loads(out.read_text())
    assert data["assessment_followups"] == 1  # S1's progress wheel pair
    assert [s["template"] for s in data["progress_sections"]] == ["progress_wheel"]
    call_command("report", "--programme", "star", "--from", "2024-01-01", "--to", "2024-12-31", "--output", str(out))
    assert json.loads(out.read_text())["assessment_followups"] == 3
    with pytest.raises(CommandError, match="Unknown assessment template code: nope. Known templates: outcome_star, "
                                           "progress_wheel."):
        call_command("report", "--programme", "star", "--from", "2024-01-01", "--to", "2024-12-31",
                     "--template", "nope")


@pytest.mark.django_db
def test_a_progress_section_is_suppressed_as_the_flat_figures_are(star):
    big = wheel_programme(extra_cases=8)  # 10 follow-ups: the means are shown; star's 3 are not
    both = compute_report([star, big], START, END)
    star_shared, wheel_shared = both.progress_json(suppress=True)
    assert star_shared["assessment_followups"] == "<5"
    assert star_shared["assessment_change_by_domain"]["work"] == {
        "first_mean": "n/a", "latest_mean": "n/a", "improved": "<5", "improved_rate": "n/a"}
    assert wheel_shared["assessment_followups"] == 10
    # 4 -> 6 improved, 5 -> 5 did not, the 8 others (3 -> 4) did: 9 of 10; first (4 + 5 + 8 x 3) / 10,
    # latest (6 + 5 + 8 x 4) / 10; means over 10 scores are shown.
    assert wheel_shared["assessment_change_by_domain"]["motivation"] == {
        "first_mean": 3.3, "latest_mean": 4.3, "improved": 9, "improved_rate": 90.0}
    assert wheel_shared["assessment_change_by_domain"]["offending"]["improved"] == 0
    # The first section's suppressed figures are exactly the flat ones, suppressed.
    flat = both.as_json(suppress=True)
    assert {key: flat[key] for key in ("assessment_followups", "assessment_change_by_domain")} == {
        key: star_shared[key] for key in ("assessment_followups", "assessment_change_by_domain")}
    shared_csv = report_csv(both, suppress=True)
    assert "progress_sections.outcome_star.assessment_followups,Cases with a follow-up assessment,<5" in shared_csv
    assert "progress_sections.progress_wheel.assessment_change_by_domain.motivation.improved" in shared_csv


def _queries(programmes):
    with CaptureQueriesContext(connection) as queries:
        compute_report(programmes, START, END)
    return len(queries)


@pytest.mark.django_db
def test_progress_sections_take_a_fixed_number_of_queries_whatever_the_cases(star, wheel,
                                                                              django_assert_max_num_queries):
    few = _queries([star, wheel])
    more = _queries([star, wheel_programme(extra_cases=12)])
    assert few == more
    most = wheel_programme(extra_cases=30)
    with django_assert_max_num_queries(few):
        compute_report([star, most], START, END)


@pytest.mark.django_db
def test_the_pdf_and_csv_show_one_progress_section_per_template(star, wheel):
    result = compute_report([star, wheel], START, END)
    pdf = report_pdf(result)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Progress wheel: Outcome star" in text
    assert "Progress wheel: Progress wheel" in text
    assert "cases of Star service" in text and "cases of Wheel service 0" in text
    html = report_html(result)  # what the page's body and the PDF draw
    assert html.count('class="wheel-chart"') == 2
    assert 'id="wheel-report"' in html and 'id="wheel-report-progress_wheel"' in html
    assert '<h2 id="heading-assessments-progress_wheel" class="h4">Progress wheel: Progress wheel</h2>' in html
    rows = report_csv(result).splitlines()
    assert "Progress wheel: Outcome star,progress_sections.outcome_star.assessment_change_by_domain.home.latest_mean," \
           "Change by domain: Home (latest mean),3.3,3" in rows
