"""Lists and forms look and behave the same everywhere because each piece exists once: the
pagination, the filter form and the error summary are includes, and no page builds its own
(a hand-made pager, for one, forgot the filters when it moved to page 2)."""

import re

import pytest
from django.conf import settings

TEMPLATES = settings.BASE_DIR / "templates"
INCLUDES = TEMPLATES / "includes"

HAND_MADE = {
    "pagination": re.compile(r"page_obj\.(has_next|has_previous|next_page_number|previous_page_number)"),
    "filter form": re.compile(r"{%\s*for\s+\w+\s+in\s+filter\.form\s*%}"),
    "error summary": re.compile(r"There is a problem|error-summary"),
}


def hand_made(kind):
    return [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if INCLUDES not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HAND_MADE[kind].search(line)
    ]


@pytest.mark.parametrize("kind", sorted(HAND_MADE))
def test_no_page_builds_its_own_pagination_filter_form_or_error_summary(kind):
    assert hand_made(kind) == [], f"use the {kind} include in templates/includes/:\n" + "\n".join(hand_made(kind))


def test_the_check_sees_a_hand_made_pager(tmp_path):
    """The patterns match what a hand-made one looks like, so the test above can fail."""
    line = '<a href="?page={{ page_obj.next_page_number }}">Next</a>'
    assert HAND_MADE["pagination"].search(line)
    assert HAND_MADE["filter form"].search("{% for field in filter.form %}")


@pytest.mark.django_db
def test_the_case_study_list_pages_with_the_shared_pager(client, manager, programme):
    from datetime import date

    from reports.models import CaseStudy
    from reports.tests.factories import make_case

    case = make_case(programme, date(2024, 2, 1))
    CaseStudy.objects.bulk_create(
        CaseStudy(case=case, title=f"Story {n}", story="Found work.", consent_given_on=date(2024, 5, 1))
        for n in range(26)
    )
    client.force_login(manager)
    first = client.get("/reports/case-studies/").content.decode()
    assert "Page 1 of 2" in first and "page=2" in first
    second = client.get("/reports/case-studies/?page=2").content.decode()
    assert "Page 2 of 2" in second and "page=1" in second
