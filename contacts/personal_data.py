"""Personal data in the contacts app (see mentoring/personal_fields.py)."""

from mentoring.personal_fields import declare

from .models import Activity, Appointment, CalendarFeed, Contact, FundingSource, Goal, GroupSession, SupportSpend

declare(Activity, kept={"code": "code", "name": "configuration"})
declare(FundingSource, kept={"code": "code", "name": "configuration"})
# A group session's title and notes are about everyone present: personal, but not one client's
# to erase.
declare(GroupSession, personal=["title", "notes"], kept={"location": "code"}, erased=False)
declare(
    Contact, client="case__client_id", parent="case",
    personal={"notes": "", "next_steps": "", "import_key": "derived from the imported row", "contact_ref": ""},
    kept={"mode": "code", "attendance": "code", "location": "code"},
)
declare(SupportSpend, client="case__client_id", parent="case", personal=["notes"],
        kept={"category": "code", "funding_source": "budget, from the organisation's list"})
declare(Goal, client="case__client_id", parent="case", personal=["description", "steps"],
        kept={"area": "assessment domain", "status": "code"})
# Where a session is booked may name a place near the client's home: personal.
declare(Appointment, client="case__client_id", parent="case", personal=["place"],
        kept={"mode": "code", "location": "code", "status": "code"})
# A feed holds a SHA-256 of its token, not the token, and no client: nothing personal to erase.
declare(CalendarFeed, kept={"token_hash": "hash of a secret, not personal", "created_at": "when",
                            "last_fetched_at": "when"})
