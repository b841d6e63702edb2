import io
import xml.etree.ElementTree as ET  # our own SVG output, not untrusted input
from datetime import date

import pytest

from outcomes.charts import point_for, radar_svg
from outcomes.models import Domain
from outcomes.progress import build_wheel
from outcomes.tests.factories import make_assessment

SVG = "{http://www.w3.org/2000/svg}"
FOUR = [("a", "Alpha"), ("b", "Bravo"), ("c", "Charlie"), ("d", "Delta")]


def polygon_points(svg):
    root = ET.fromstring(svg)  # noqa: S314
    shapes = [p for p in root.iter(f"{SVG}polygon") if p.get("class") == "wheel-series-shape"]
    return [[tuple(float(n) for n in pair.split(",")) for pair in p.get("points").split()] for p in shapes]


def test_radar_chart_draws_each_series_at_the_expected_points():
    # Four spokes: up, right, down, left from the centre (265, 185), radius 130 for a 10.
    svg = radar_svg(FOUR, [("First", [2, 4, 6, 8]), ("Latest", [10, 5, 5, 10])])
    first, latest = polygon_points(svg)
    assert first == [(265, 159), (317, 185), (265, 263), (161, 185)]
    assert latest == [(265, 55), (330, 185), (265, 250), (135, 185)]


def test_radar_chart_leaves_an_unscored_domain_out_of_the_shape():
    (shape,) = polygon_points(radar_svg(FOUR, [("Only", [5, None, 5, 5])]))
    assert shape == [(265, 120), (265, 250), (200, 185)]


def test_radar_chart_is_accessible_plain_svg():
    svg = radar_svg(FOUR, [("First", [1, 2, 3, 4])], title="Wheel for <Mina>", chart_id="w1")
    root = ET.fromstring(svg)  # noqa: S314
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Wheel for <Mina>"
    assert "Alpha 1" in root.find(f"{SVG}desc").text and root.find(f"{SVG}desc").get("id") == desc_id
    labels = ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "wheel-axis-label"]
    assert labels == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert not list(root.iter(f"{SVG}script"))


@pytest.mark.django_db
def test_wheel_for_a_known_pair_of_assessments_has_the_expected_points(world):
    first_scores = [3, 4, 5, 2, 6, 3, 4, 5, 2, 1]
    latest_scores = [7, 6, 5, 6, 8, 5, 4, 7, 6, 5]
    first = make_assessment(world.my_case, first_scores, on=date(2026, 1, 5))
    latest = make_assessment(world.my_case, latest_scores, on=date(2026, 4, 5), stage="review")
    domains = list(Domain.objects.filter(template=first.template))
    wheel = build_wheel([first, latest], domains)
    drawn_first, drawn_latest = polygon_points(str(wheel.svg))
    assert drawn_first == [point_for(i, 10, s) for i, s in enumerate(first_scores)]
    assert drawn_latest == [point_for(i, 10, s) for i, s in enumerate(latest_scores)]
    assert drawn_first[0] == (265, 146)  # Motivation 3: straight up, 39 units from the centre
    assert [row.change for row in wheel.rows] == [4, 2, 0, 4, 2, 2, 0, 2, 4, 4]
    assert wheel.rows[2].verdict == "No change" and wheel.rows[0].verdict == "Improved"
    assert wheel.improved == 8


def test_radar_chart_renders_inside_a_weasyprint_pdf():
    import weasyprint
    from pypdf import PdfReader

    domains = [("motivation", "Motivation"), ("use_of_time", "Use of time"),
               ("relationships_family", "Family and relationships"), ("offending", "Staying out of trouble"),
               ("accommodation", "Somewhere to live")]
    svg = radar_svg(domains, [("First, 5 Jan 2026", [3, 4, 5, 2, 6]), ("Latest, 5 Apr 2026", [7, 6, 5, 6, 8])])
    html = f"<html><body><h1>Progress</h1><div style='width:16cm'>{svg}</div></body></html>"
    pdf = weasyprint.HTML(string=html).write_pdf()
    text = "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for _, label in domains:
        assert "".join(label.split()) in text, label
    assert "Latest,5Apr2026" in text
