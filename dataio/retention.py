"""Retention: who the policy (`RETENTION_YEARS`) has caught, and anonymising them."""


from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import DateField, Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from clients.models import Case, Client
from referrals.models import Referral

from .erasure import anonymise_client


def retention_cutoff(today=None):
    """Clients whose last case closed before this day are due for anonymisation."""
    today = today or timezone.localdate()
    return today - relativedelta(years=settings.RETENTION_YEARS)


def clients_due_for_anonymisation(today=None):
    """Clients not yet anonymised whose every case is closed, the last more than
    RETENTION_YEARS ago. A client who never had a case (declined or withdrawn referrals only)
    is due the same time after their last referral was decided."""
    cutoff = retention_cutoff(today)
    cases = Case.objects.filter(client=OuterRef("pk"))
    last_closed = Subquery(
        cases.values("client").annotate(last=Max("ended_on")).values("last")[:1], output_field=DateField()
    )
    caseless_referrals = Referral.objects.filter(client=OuterRef("pk"), case__isnull=True)
    last_referral = Subquery(
        caseless_referrals.values("client")
        .annotate(last=Max(Coalesce("decided_on", "received_on")))
        .values("last")[:1],
        output_field=DateField(),
    )
    return (
        Client.objects.not_anonymised()
        .annotate(
            has_open_case=Exists(cases.filter(Q(ended_on__isnull=True) | ~Q(status=Case.Status.CLOSED))),
            has_pending_referral=Exists(Referral.objects.filter(client=OuterRef("pk"), decision=Referral.Decision.PENDING)),
            last_case_closed_on=last_closed,
            last_referral_on=last_referral,
        )
        .annotate(
            last_activity_on=Greatest(
                Coalesce("last_case_closed_on", "last_referral_on"), Coalesce("last_referral_on", "last_case_closed_on")
            )
        )
        .filter(has_open_case=False, has_pending_referral=False, last_activity_on__lt=cutoff)
        .order_by("last_activity_on", "pk")
    )


def apply_retention(*, by=None, today=None, dry_run=False):
    """Anonymise every client past the retention period; returns the list of client ids."""
    due = list(clients_due_for_anonymisation(today).values_list("pk", flat=True))
    if dry_run:
        return due
    reason = f"Retention period passed: {settings.RETENTION_YEARS} years after the last case closed."
    done = []
    for client in Client.objects.filter(pk__in=due):
        try:
            anonymise_client(client=client, by=by, reason=reason, trigger="retention")
        except ValidationError:
            continue  # anonymised since the list was drawn up (another manager's press, an erasure)
        done.append(client.pk)
    return done

