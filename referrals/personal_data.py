"""Personal data in the referrals app (see mentoring/personal_fields.py)."""

from mentoring.personal_fields import declare

from .models import Referral, ReferralSource

declare(ReferralSource, kept={"code": "code", "name": "configuration"})
declare(
    Referral, client="client_id", parent="client",
    personal=["referral_ref", "referrer_name", "referrer_organisation", "referrer_contact", "needs",
              "wants_help_with", "readiness_notes", "decision_reason"],
    kept={"readiness": "code", "decision": "code"},
)
