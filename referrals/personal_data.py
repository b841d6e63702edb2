"""Personal data in the referrals app (see mentoring/personal_fields.py)."""

from mentoring.personal_fields import declare

from .models import EligibilityCriterion, ProgrammeEligibility, Referral, ReferralCriterion, ReferralSource

declare(ReferralSource, kept={"code": "code", "name": "configuration"})
declare(
    Referral, client="client_id", parent="client",
    personal=["referral_ref", "referrer_name", "referrer_organisation", "referrer_contact", "needs",
              "wants_help_with", "readiness_notes", "decision_reason", "override_reason"],
    kept={"readiness": "code", "decision": "code", "failed_rules": "the programme's rules it failed, by name"},
)
declare(EligibilityCriterion, kept={"code": "code", "name": "configuration"})
declare(ProgrammeEligibility, kept={"areas": "configuration"})
declare(ReferralCriterion, client="referral__client_id", parent="referral")
