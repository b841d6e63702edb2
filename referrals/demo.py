"""Demo referrals over the last 18 months: most accepted (a case opens), some declined or
withdrawn, a few still pending; some cases closed with reasons and one re-engagement.

Cases stay "to allocate": the mentors seed allocates them. Puts the cases in
`context["cases"]` (list, oldest first).
"""

import random
from datetime import timedelta

from django.utils import timezone

AGENCIES = {
    "probation": ["Northshire Probation Delivery Unit"],
    "iom": ["Northshire IOM team"],
    "youth_justice": ["Northshire Youth Justice Service"],
    "custody_suite": ["Riverside custody suite"],
    "hospital": ["Northshire General A&E"],
    "partner_agency": ["Open Door Housing Trust", "Second Chances Charity"],
    "self": [""],
}
NEEDS = ["Housing", "Employment and training", "Benefits and debt", "Substance use", "Family relationships",
         "Mental health and wellbeing", "Education", "Leisure and peers"]
WANTS = ["Getting a job", "Finding somewhere stable to live", "Staying out of trouble", "Going back to college",
         "Sorting out money", "Someone to talk to who has been there"]
DECLINE_REASONS = ["Lives outside the area we cover", "Already supported by another mentoring service",
                   "Did not want a mentor when we spoke"]
CLOSE_REASONS = ["completed", "completed", "completed", "disengaged", "custody", "moved_away", "declined_support"]


def seed(context):
    from clients import registry
    from clients.models import Case, ClosureReason

    from .models import Referral, ReferralSource

    clients = context.get("clients") or []
    if Referral.objects.filter(client__in=clients).exists() or not clients:
        context["cases"] = list(Case.objects.filter(client__in=clients).order_by("started_on", "id"))
        return
    rng = random.Random(42)
    today = timezone.localdate()
    programmes = context["programmes"]
    _seed_eligibility(programmes)
    users = context.get("users", {})
    lead = users.get("lead")
    sources = {s.code: s for s in ReferralSource.objects.all()}
    reasons = {r.code: r for r in ClosureReason.objects.all()}
    cases = []
    for index, client in enumerate(clients, start=1):
        code = "bridge" if index % 2 == 0 else "springboard"
        source_code = rng.choice(
            ["youth_justice", "custody_suite", "hospital", "partner_agency", "probation", "self"] if code == "bridge"
            else ["probation", "iom", "iom", "partner_agency", "self"]
        )
        # The last six are recent and still pending; the rest arrived over the last 18 months.
        pending = index > 54
        received = today - timedelta(days=rng.randint(1, 25) if pending else rng.randint(30, 540))
        agency = rng.choice(AGENCIES[source_code])
        referral = Referral.objects.create(
            referral_ref=f"DEMO-R{index:03d}", client=client, programme=programmes[code], received_on=received,
            source=sources[source_code], referrer_name="" if source_code == "self" else rng.choice(
                ["Sam Officer", "Jo Caseworker", "Ali Practitioner", "Kim Navigator"]),
            referrer_organisation=agency, referrer_contact="" if source_code == "self" else "01632 960000",
            needs="; ".join(rng.sample(NEEDS, 2)), wants_help_with=rng.choice(WANTS),
            readiness=Referral.Readiness.NOT_CHECKED if pending else Referral.Readiness.READY,
        )
        if pending:
            continue
        decided = min(received + timedelta(days=rng.randint(2, 14)), today)
        roll = rng.random()
        if roll < 0.08:
            referral.decline(reason=rng.choice(DECLINE_REASONS), by=lead, on=decided)
            continue
        if roll < 0.12:
            referral.withdraw(reason="The person moved before we met", by=lead, on=decided)
            continue
        case = referral.accept(by=lead, on=decided)
        cases.append(case)
        age = (today - case.started_on).days
        if age > 150 and rng.random() < 0.45:
            ended = case.started_on + timedelta(days=rng.randint(90, min(age - 1, 330)))
            reason = reasons[rng.choice(CLOSE_REASONS)]
            # mentors.services.close_case, through the hook (referrals is below mentors).
            registry.change_case("close", case, reason=reason, on=ended, by=lead,
                                 summary=f"{reason.name}. Worked on: {referral.wants_help_with.lower()}.")
    # One re-engagement: the earliest case that closed as disengaged comes back, as a new linked case.
    closed = [c for c in cases if c.status == Case.Status.CLOSED and (today - c.ended_on).days > 45]
    if closed:
        earlier = min(closed, key=lambda c: c.ended_on)
        cases.append(earlier.reopen(on=earlier.ended_on + timedelta(days=40), by=lead))
    context["cases"] = sorted(cases, key=lambda c: (c.started_on, c.pk))


def _seed_eligibility(programmes):
    """Bridge is for 18 to 25-year-olds in Northshire with previous convictions; Springboard
    takes whoever IOM refers. Its pending referrals then show each rule met, failed or not known."""
    from .models import EligibilityCriterion, ProgrammeEligibility

    rules, _ = ProgrammeEligibility.objects.get_or_create(
        programme=programmes["bridge"], defaults={"min_age": 18, "max_age": 25, "areas": []})
    rules.criteria.add(EligibilityCriterion.objects.get(code="previous_convictions"))
