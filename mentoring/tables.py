"""What every list page shares: django-tables2's SingleTableMixin with one rule added.

- The clients a page of rows names are recorded as one read (mentoring.access.record_listed),
  under `list_audit_verb` (default "<model>_list.viewed").

Every list view uses this mixin in place of django_tables2's own.
"""

from django_tables2 import SingleTableMixin as TablesSingleTableMixin

from . import access


class SingleTableMixin(TablesSingleTableMixin):
    list_audit_verb = None

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        rows = table.page.object_list if getattr(table, "page", None) else table.rows
        records = [row.record for row in rows]
        if records and hasattr(records[0], "audit_client_id"):
            verb = self.list_audit_verb or f"{records[0]._meta.model_name}_list.viewed"
            access.record_listed(self.request, records, verb=verb)
        return table
