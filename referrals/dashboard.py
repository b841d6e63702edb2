"""Home panel: the lead's pending referrals. (The manager's programme summary is reports/dashboard.py:
its figures are the report's.)"""

from mentoring import access
from mentoring.dashboard import panel

SHOWN = 10


@panel(roles=[access.LEAD], order=10, template="referrals/panels/pending.html")
def pending_referrals(request):
    referrals = (
        access.decidable_referrals(request.user).awaiting_decision()
        .select_related("client", "programme", "source").order_by("received_on", "id")
    )
    rows = list(referrals[: SHOWN + 1])
    return {
        "referrals": rows[:SHOWN],
        "more": len(rows) > SHOWN,
        "total": referrals.count() if len(rows) > SHOWN else len(rows),
    }
