"""Manager home panel: erasure requests waiting for a second manager, and retention due."""

from mentoring import access
from mentoring.dashboard import panel

from .models import ErasureRequest
from .privacy import clients_due_for_anonymisation


@panel(roles=[access.MANAGER], order=80, template="dataio/panels/privacy.html")
def privacy(request):
    waiting = list(ErasureRequest.objects.pending().select_related("requested_by").order_by("requested_at"))
    due = clients_due_for_anonymisation().count()
    if not waiting and not due:
        return None
    return {
        "waiting": waiting,
        "mine": [e for e in waiting if e.requested_by_id == request.user.pk],
        "due": due,
    }
