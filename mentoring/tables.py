"""What every list page shares: django-tables2's SingleTableMixin with two rules added.

- `?per_page=` is kept within 1..MAX_PER_PAGE: a huge page is served as the largest allowed,
  and a value that is not a positive number falls back to the list's own page size.
- The clients a page of rows names are recorded as one read (mentoring.access.record_listed),
  under `list_audit_verb` (default "<model>_list.viewed").

Every list view uses this mixin in place of django_tables2's own.
"""

from copy import copy
from functools import partial

import django_tables2 as tables
from django.core.paginator import Paginator
from django_tables2 import SingleTableMixin as TablesSingleTableMixin

from . import access

MAX_PER_PAGE = 100


class BoundedPaginator(Paginator):
    """A paginator whose page size stays within 1..MAX_PER_PAGE whatever the URL asked for."""

    def __init__(self, object_list, per_page, *args, default_per_page, **kwargs):
        try:
            per_page = int(per_page)
        except (TypeError, ValueError):
            per_page = default_per_page
        if per_page < 1:
            per_page = default_per_page
        super().__init__(object_list, min(per_page, MAX_PER_PAGE), *args, **kwargs)


class SingleTableMixin(TablesSingleTableMixin):
    list_audit_verb = None

    def get_table_pagination(self, table):
        paginate = super().get_table_pagination(table)
        if paginate is False:
            return False
        paginate = dict(paginate) if isinstance(paginate, dict) else {}
        default = min(paginate.get("per_page") or table._meta.per_page, MAX_PER_PAGE)
        # Table.paginate() turns per_page=0 into the table class's own size: make that this list's.
        table._meta = copy(table._meta)
        table._meta.per_page = default
        paginate["paginator_class"] = partial(BoundedPaginator, default_per_page=default)
        return paginate

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        rows = table.page.object_list if getattr(table, "page", None) else table.rows
        records = [row.record for row in rows]
        if records and hasattr(records[0], "audit_client_id"):
            verb = self.list_audit_verb or f"{records[0]._meta.model_name}_list.viewed"
            access.record_listed(self.request, records, verb=verb)
        return table


class StackedTable(tables.Table):
    """A table whose rows become labelled cards on a phone (`.table-stack` in waymark.css):
    every cell carries its column's name, so nothing hides off the right of a 360px screen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attrs = {**self.attrs, "class": f"{self.attrs.get('class', '')} table-stack".strip()}
        for bound in self.columns:
            td = {**bound.column.attrs.get("td", {}), "data-label": str(bound.header)}
            bound.column.attrs = {**bound.column.attrs, "td": td}
