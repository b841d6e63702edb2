"""The report's appendix (DEFINITIONS) and the project's definitions page, docs/metrics.md, name
the same figures."""

from django.conf import settings

from reports.metrics import DEFINITIONS, JSON_IDS


def test_every_figure_of_the_appendix_is_defined_in_docs_metrics():
    page = (settings.BASE_DIR / "docs" / "metrics.md").read_text(encoding="utf-8")
    missing = [key for key in DEFINITIONS if f"`{key}`" not in page]
    assert not missing, f"docs/metrics.md does not define {missing}"


def test_the_json_carries_every_figure_of_the_appendix():
    assert JSON_IDS == list(DEFINITIONS)
