"""Personal data in the mentors app (see mentoring/personal_fields.py).

A mentor's own details are personal (hidden from the change history) but are not a client's:
only the models with `client=` are erased with a client.
"""

from mentoring.personal_fields import declare

from .models import (
    Allocation,
    CaseMatchPreference,
    MatchingSettings,
    Mentor,
    MentorConflict,
    Progression,
    Strength,
    Supervision,
    Training,
)

declare(Strength, kept={"code": "code", "name": "configuration"})
declare(
    Mentor,
    personal={
        "first_name": "", "last_name": "", "email": "", "phone": "", "dbs_certificate_number": "",
        "dbs_status_review_note": "", "lived_experience_share": "the mentor's own past",
    },
    kept={
        "mentor_ref": "staff reference", "mentor_type": "code", "gender": "code", "areas": "area names",
        "languages": "language names", "availability": "working pattern", "available_times": "time-slot codes",
        "dbs_level": "code", "dbs_status": "code",
    },
)
declare(Training, kept={"course": "course name", "provider": "organisation", "level": "code"})
declare(Supervision, personal=["notes"])
declare(Progression, personal=["details"], kept={"kind": "code"})
declare(Allocation, client="case__client_id", parent="case", personal=["end_reason", "override_reason"],
        kept={"role": "code", "overridden": "matching rule codes"})
declare(CaseMatchPreference, kept={"mentor_gender": "code", "times_wanted": "time-slot codes"})
declare(MentorConflict, client="client_id", parent="client", personal=["note"], kept={"kind": "code"})
declare(MatchingSettings, kept={"high_risk_rule": "code"})
