"""Which rows of which models belong to a client, and where their change history is."""


from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from clients.models import Case, Client, RiskFlag
from contacts.models import Contact, Goal, SupportSpend
from mentors.models import Allocation, MentorConflict
from outcomes.models import (
    Achievement,
    Answer,
    Assessment,
    CustodyPeriod,
    Offence,
    Questionnaire,
    Score,
)
from referrals.models import Referral
from reports.models import CaseStudy

# (model, lookup from the model to the client's id, the field that points at the parent, the
# parent's lookup): the last two find change history of rows already deleted.
CLIENT_MODELS = [
    (Client, "pk", None),
    (RiskFlag, "client_id", "client"),
    (Case, "client_id", "client"),
    (Referral, "client_id", "client"),
    (Offence, "client_id", "client"),
    (CustodyPeriod, "client_id", "client"),
    (Allocation, "case__client_id", "case"),
    (MentorConflict, "client_id", "client"),
    (Contact, "case__client_id", "case"),
    (SupportSpend, "case__client_id", "case"),
    (Goal, "case__client_id", "case"),
    (Assessment, "case__client_id", "case"),
    (Achievement, "case__client_id", "case"),
    (Questionnaire, "case__client_id", "case"),
    (CaseStudy, "case__client_id", "case"),
    (Score, "assessment__case__client_id", "assessment"),
    (Answer, "questionnaire__case__client_id", "questionnaire"),
]


def client_rows(client_id):
    """(model, queryset) for every model holding rows about the client."""
    return [(model, model.objects.filter(**{lookup: client_id})) for model, lookup, _ in CLIENT_MODELS]


def change_history_q(client_id, *, pk_lists=None):
    """A Q over auditlog LogEntry: the change history of the client's rows.

    One query when used in a filter: each model contributes a subquery. With `pk_lists`
    (materialised ids), deleted rows are found too, through the parent id in their history.
    """
    types = ContentType.objects.get_for_models(*[model for model, _, _ in CLIENT_MODELS])
    query = Q(pk__in=[])
    for model, lookup, parent in CLIENT_MODELS:
        ct = types[model]
        ids = model.objects.filter(**{lookup: client_id}).values("pk")
        query |= Q(content_type=ct, object_id__in=ids)
        if pk_lists is not None and parent:
            parent_ids = [str(pk) for pk in pk_lists.get(parent, [])]
            if parent_ids:
                query |= Q(content_type=ct, **{f"changes__{parent}__1__in": parent_ids})
                query |= Q(content_type=ct, **{f"changes__{parent}__0__in": parent_ids})
    return query

