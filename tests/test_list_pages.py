"""Every paginated list keeps `?per_page=` within 1..100: never a 500, never a million rows."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tables2.views import SingleTableMixin as TablesSingleTableMixin

from mentoring import audit
from mentoring.tables import MAX_PER_PAGE, SingleTableMixin
from tests.test_access_matrix import ROWS

pytestmark = pytest.mark.django_db


def _table_views():
    found = {}

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif isinstance(pattern, URLPattern) and pattern.name:
                view = getattr(pattern.callback, "view_class", None)
                if view is not None and issubclass(view, TablesSingleTableMixin):
                    found[prefix + pattern.name] = view

    walk(get_resolver().url_patterns, "")
    return found


TABLE_VIEWS = _table_views()
LISTS = [
    next(row for row in ROWS if row.name == name and row.method == "get" and row.expect("manager") == 200)
    for name in sorted(TABLE_VIEWS)
]


def test_every_list_uses_the_bounded_table_mixin():
    assert len(TABLE_VIEWS) >= 7
    assert [name for name, view in TABLE_VIEWS.items() if not issubclass(view, SingleTableMixin)] == []


@pytest.mark.parametrize("per_page", ["-1", "0", "abc", "1000000"])
@pytest.mark.parametrize("row", LISTS, ids=[row.name for row in LISTS])
def test_a_list_answers_any_page_size_with_at_most_a_hundred_rows(client, world, manager, row, per_page):
    for n in range(130):
        audit.record(manager, "user.signed_in", action=audit.Action.SIGN_IN, attempt=n)
    client.force_login(manager)
    url = reverse(row.name, kwargs=row.kwargs(world) if row.kwargs else None)
    response = client.get(url, {"per_page": per_page})
    assert response.status_code == 200
    shown = len(response.context["table"].page.object_list)
    assert shown <= MAX_PER_PAGE
    if row.name == "dataio:audit_list":  # 130+ rows: a huge page is capped, a nonsense one is the default 50
        assert shown == (MAX_PER_PAGE if per_page == "1000000" else 50)


def test_a_page_size_within_bounds_is_kept(client, world, manager):
    for n in range(30):
        audit.record(manager, "user.signed_in", action=audit.Action.SIGN_IN, attempt=n)
    client.force_login(manager)
    response = client.get(reverse("dataio:audit_list"), {"per_page": "7"})
    assert len(response.context["table"].page.object_list) == 7
