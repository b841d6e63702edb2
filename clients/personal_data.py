"""Personal data in the clients app (see mentoring/personal_fields.py)."""

import secrets

from mentoring.personal_fields import SET_BY_ERASURE, declare

from .models import Case, Client, ClosureReason, RiskFlag
from .names import folded_names

ANONYMISED_FIRST_NAME = "Anonymised"
ANONYMISED_LAST_NAME = "client"
_FOLDED = folded_names(ANONYMISED_FIRST_NAME, ANONYMISED_LAST_NAME)

declare(
    Client, client="pk",
    personal={
        "first_name": "", "last_name": "", "preferred_name": "", "client_ref": "identifies the person",
        "probation_ref": "", "police_ref": "", "date_of_birth": "moved within its year by erasure",
        "phone": "", "email": "", "address": "", "postcode": "", "first_language": "", "disability_details": "",
        "notes": "", "first_name_folded": "", "last_name_folded": "", "search_name": "",
    },
    kept={
        "gender": "code, reported", "ethnicity": "code, reported", "risk_level": "code",
        "area": "a borough or town, reported; coarse once the postcode is gone",
        "consent_data_recorded_by": "staff member", "consent_sharing_recorded_by": "staff member",
    },
    erase={
        "first_name": ANONYMISED_FIRST_NAME, "last_name": ANONYMISED_LAST_NAME,
        # A random token keeps the row unique and recognisable as anonymised.
        "client_ref": lambda: f"ANON-{secrets.token_hex(6).upper()}",
        "date_of_birth": SET_BY_ERASURE,
        # Search and the duplicate check must not find the old name.
        **_FOLDED,
    },
)
declare(RiskFlag, client="client_id", parent="client", personal=["details"], kept={"kind": "code", "level": "code"})
declare(ClosureReason, kept={"code": "code", "name": "configuration"})
declare(Case, client="client_id", parent="client", personal=["case_ref", "pause_reason", "closing_summary"],
        kept={"status": "code"})
