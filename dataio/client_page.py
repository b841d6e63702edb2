"""What dataio adds to the client page: the managers' link to the subject access export."""

from django.urls import reverse

from clients.registry import Link, client_links
from mentoring import access


@client_links("page", order=10)
def subject_access_export(request, client, cases):
    if not access.is_manager(request.user):
        return []
    return [Link("Subject access export and erasure", reverse("dataio:client_export", args=[client.pk]), note="(managers only)")]
