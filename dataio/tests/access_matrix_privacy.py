"""Access matrix rows of the privacy pages: managers only, everyone else 403.

Managers see every client, so "another mentor's client" cannot apply; a client that does not
exist answers 404 to a manager instead.
"""

from django.contrib.auth.models import Group

from dataio.models import ErasureRequest
from mentoring.models import ROLE_GROUPS, Role
from mentoring.tests.access import Row
from mentoring.tests.factories import UserFactory

MISSING = 987654321


def _erasure(world):
    """A pending request by a manager other than the one the matrix signs in (erin)."""
    requester = UserFactory(username="requester")
    requester.groups.add(Group.objects.get(name=ROLE_GROUPS[Role.MANAGER]))
    erasure = ErasureRequest.objects.create(
        client_id=world.my_client.pk, requested_by=requester, reason="Asked in writing; nothing to keep."
    )
    return {"pk": erasure.pk}


def _client(world):
    return {"pk": world.my_client.pk}


PRIVACY_ROWS = [
    Row("dataio:audit_list", manager=200),
    Row("dataio:audit_csv", manager=200),
    Row("dataio:retention", manager=200),
    Row("dataio:retention", method="post", data=lambda w: {"confirm": "on"}, manager=302, label="run"),
    Row("dataio:client_export", _client, manager=200),
    Row("dataio:client_export", lambda w: {"pk": MISSING}, manager=404, label="missing"),
    Row("dataio:client_export_json", _client, manager=200),
    Row("dataio:client_export_json", lambda w: {"pk": MISSING}, manager=404, label="missing"),
    Row("dataio:client_export_pdf", _client, manager=200),
    Row("dataio:erasure_request", _client, manager=200),
    Row("dataio:erasure_request", lambda w: {"pk": MISSING}, manager=404, label="missing"),
    Row("dataio:erasure_request", _client, method="post",
        data=lambda w: {"reason": "Asked in writing; nothing to keep.", "confirm": "on"}, manager=302, label="post"),
    Row("dataio:erasure_approve", _erasure, method="post", data=lambda w: {"confirm": "on"}, manager=302),
    Row("dataio:erasure_approve", lambda w: {"pk": MISSING}, method="post", data=lambda w: {"confirm": "on"},
        manager=404, label="missing"),
    Row("dataio:erasure_cancel", _erasure, method="post", manager=302),
]
