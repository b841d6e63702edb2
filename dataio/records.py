"""Which rows of which models belong to a client, and where their change history is.

The models are the ones declared with `client=` in each app's `personal_data.py`
(mentoring.personal_fields): dataio names none of them, so it imports no app above it.
"""


from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from mentoring import personal_fields


def client_models():
    """[(model, lookup from the model to the client's id, the field that points at the parent)]:
    the last finds change history of rows already deleted."""
    return [(d.model, d.client, d.parent) for d in personal_fields.client_declarations()]


def client_rows(client_id):
    """(model, queryset) for every model holding rows about the client."""
    return [(d.model, d.rows_of(client_id)) for d in personal_fields.client_declarations()]


def change_history_q(client_id, *, pk_lists=None):
    """A Q over auditlog LogEntry: the change history of the client's rows.

    One query when used in a filter: each model contributes a subquery. With `pk_lists`
    (materialised ids), deleted rows are found too, through the parent id in their history.
    """
    models = client_models()
    types = ContentType.objects.get_for_models(*[model for model, _, _ in models])
    query = Q(pk__in=[])
    for model, lookup, parent in models:
        ct = types[model]
        ids = model.objects.filter(**{lookup: client_id}).values("pk")
        query |= Q(content_type=ct, object_id__in=ids)
        if pk_lists is not None and parent:
            parent_ids = [str(pk) for pk in pk_lists.get(parent, [])]
            if parent_ids:
                query |= Q(content_type=ct, **{f"changes__{parent}__1__in": parent_ids})
                query |= Q(content_type=ct, **{f"changes__{parent}__0__in": parent_ids})
    return query
