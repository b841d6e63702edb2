"""Who a programme is for: a referral is checked rule by rule (age on the referral date, area,
required criteria, readiness), and one that fails a rule is accepted only with a reason, which
is kept, audited and counted in the report."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Case
from mentoring.models import AuditEvent
from referrals import eligibility
from referrals.models import EligibilityCriterion, ProgrammeEligibility, Referral, ReferralCriterion
from reports.metrics import compute_report

from .factories import ReferralFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def rules(programme):
    """Bridge 18-25: aged 18 to 25, living in M1 or M2 or in Salford, with previous convictions."""
    found = ProgrammeEligibility.objects.create(programme=programme, min_age=18, max_age=25,
                                                areas=["M1", "M2", "Salford"])
    found.criteria.add(EligibilityCriterion.objects.get(code="previous_convictions"))
    return found


def born_aged(years):
    """A date of birth making the person `years` old today (born on 1 January)."""
    return date(TODAY().year - years, 1, 1)


def _decide(client, referral, **data):
    return client.post(reverse("referrals:referral_decide", args=[referral.pk]),
                       {"on": TODAY().isoformat(), "reason": "", **data})


def _criterion():
    return EligibilityCriterion.objects.get(code="previous_convictions")


def test_a_42_year_old_cannot_be_accepted_into_an_18_to_25_programme_without_a_reason(client, lead, programme, rules):
    referral = ReferralFactory(programme=programme, client__date_of_birth=born_aged(42),
                               client__postcode="M1 2AB", readiness=Referral.Readiness.READY)
    met = {f"criterion_{_criterion().pk}": "met"}
    client.force_login(lead)
    refused = _decide(client, referral, decision="accept", **met)
    assert refused.status_code == 200 and not Case.objects.exists()
    page = refused.content.decode()
    assert "Say why you accept a referral that does not meet: Aged 18 to 25 when referred." in page

    accepted = _decide(client, referral, decision="accept", override_reason="Agreed with the funder: a care leaver", **met)
    assert accepted.status_code == 302
    referral.refresh_from_db()
    assert referral.decision == "accepted" and referral.case is not None
    assert referral.failed_rules == ["Aged 18 to 25 when referred"]
    assert referral.override_reason == "Agreed with the funder: a care leaver"
    event = AuditEvent.objects.get(verb="referral.accepted_by_override")
    assert event.detail["rules_failed"] == 1 and event.client_id == referral.client_id
    # The referral page keeps what the decision found, whatever the rules say later.
    rules.delete()
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert ("Accepted although it did not meet: Aged 18 to 25 when referred. "
            "Accepted because: Agreed with the funder: a care leaver") in page


def test_the_referral_page_shows_each_rule_as_met_not_met_or_not_known(client, lead, programme, rules):
    referral = ReferralFactory(programme=programme, client__date_of_birth=born_aged(20),
                               client__postcode="le4 6ab", client__area="Leicester")
    client.force_login(lead)
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    checks = {check.rule: check.status for check in eligibility.checks(referral)}
    assert checks == {
        "Motivated and ready to engage": "unknown",  # not checked yet
        "Aged 18 to 25 when referred": "met",
        "Lives in M1, M2, Salford": "failed",  # LE4, Leicester
        "Has previous convictions": "unknown",
    }
    assert "Who the programme is for" in page
    for words in ("Not known", "Met", "Not met", "LE4 6AB, Leicester."):
        assert words in page


def test_an_area_rule_matches_the_postcode_district_or_the_local_authority(programme, rules):
    by_district = ReferralFactory(programme=programme, client__postcode="M2 5BQ", client__area="")
    by_authority = ReferralFactory(programme=programme, client__postcode="", client__area="salford")
    neither = ReferralFactory(programme=programme, client__postcode="", client__area="")
    lives = "Lives in M1, M2, Salford"
    status = {r.pk: {c.rule: c.status for c in eligibility.checks(r)}[lives] for r in (by_district, by_authority, neither)}
    assert status == {by_district.pk: "met", by_authority.pk: "met", neither.pk: "unknown"}


def test_a_referral_marked_not_ready_is_not_accepted_silently(client, lead, programme):
    """No rules set at all: readiness still counts, so 'not ready' needs a reason to accept."""
    referral = ReferralFactory(programme=programme, readiness=Referral.Readiness.NOT_READY)
    client.force_login(lead)
    assert _decide(client, referral, decision="accept").status_code == 200
    assert _decide(client, referral, decision="accept", override_reason="Ready now, says his worker").status_code == 302
    referral.refresh_from_db()
    assert referral.failed_rules == ["Motivated and ready to engage"]


def test_what_the_lead_found_for_each_criterion_is_kept_and_not_met_fails_it(client, lead, programme, rules):
    referral = ReferralFactory(programme=programme, client__date_of_birth=born_aged(19), client__postcode="M1 1AA",
                               readiness=Referral.Readiness.READY)
    client.force_login(lead)
    response = _decide(client, referral, decision="decline", reason="No convictions: try the prevention service",
                       **{f"criterion_{_criterion().pk}": "not_met"})
    assert response.status_code == 302
    assert ReferralCriterion.objects.get(referral=referral).met is False
    referral.refresh_from_db()
    assert referral.failed_rules == ["Has previous convictions"]


def test_the_report_counts_referrals_not_eligible_and_those_accepted_by_override(programme, lead):
    """Four referrals in 2024: one eligible and accepted, one failing and accepted with a reason,
    one failing and declined, one failing but still waiting (not counted): 2 not eligible, 1 by override."""
    on = date(2024, 3, 1)
    ReferralFactory(programme=programme, received_on=on).accept(by=lead, on=on)
    overridden = ReferralFactory(programme=programme, received_on=on, failed_rules=["Aged 18 to 25 when referred"])
    overridden.accept(by=lead, on=on, override_reason="Care leaver")
    declined = ReferralFactory(programme=programme, received_on=on, failed_rules=["Lives in M1"])
    declined.decline(reason="Out of area", by=lead, on=on)
    ReferralFactory(programme=programme, received_on=on, failed_rules=["Lives in M1"])
    result = compute_report([programme], date(2024, 1, 1), date(2024, 12, 31))
    figures = result.figures
    assert (figures["referrals_received"], figures["referrals_accepted"]) == (4, 2)
    assert (figures["referrals_not_eligible"], figures["referrals_accepted_by_override"]) == (2, 1)


def test_accepting_a_failing_referral_without_a_reason_is_refused_by_the_model_too(programme, lead):
    referral = ReferralFactory(programme=programme, failed_rules=["Aged 18 to 25 when referred"])
    with pytest.raises(Exception, match="Say why you accept"):
        referral.accept(by=lead)
    assert not Case.objects.exists()
