"""Referral intake: a referral and, when the person is new to us, their client record."""

from django.db import transaction

from clients.models import Client
from mentoring import audit

from .models import Referral


@transaction.atomic
def receive_referral(*, referral: Referral, client: Client | None = None, new_client: Client | None = None, by) -> Referral:
    """Save a referral for an existing client, or for a new client created in the same step."""
    if (client is None) == (new_client is None):
        raise ValueError("Give either an existing client or a new one.")
    if new_client is not None:
        new_client.full_clean()
        new_client.save()
        # A duplicate check is noted in the same event, so saving one costs no extra query.
        check = {"duplicate_check": True} if new_client.duplicate_check_since else {}
        audit.record(by, "client.created", new_client, via="referral", **check)
        client = new_client
    referral.client = client
    referral.full_clean()
    referral.save()
    audit.record(by, "referral.received", referral, source=referral.source.code, programme=referral.programme.code)
    return referral
