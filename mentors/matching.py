"""Matching: which mentors to put beside a client, why, and who is not offered and why not.

Matching is the project lead's judgement; this module makes it quick and explains itself.
For each case every active mentor of the programme is checked against the vetoes first:

- hard vetoes (vetting, training, leave, programme, a recorded conflict) are never broken;
- soft vetoes (no room left, a preference the client marked as a must, the programme's rule
  for clients at high risk to others) are broken only by a lead who says why.

A mentor with no veto is offered, ranked by factors the programme weighs
(`MatchingSettings`). Users see a rank and a few words, never a number, and only the factors
that tell the offered mentors apart. `plan` proposes mentors for a whole waiting list at once
as an assignment problem, so the best mentor is not used up by the first case looked at.

Everything is computed in a fixed number of queries however many mentors or cases there are.
"""

import re
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone
from scipy.optimize import linear_sum_assignment

from clients.models import Gender, RiskFlag, RiskLevel

from .models import Allocation, CaseMatchPreference, MatchingSettings, Mentor, MentorConflict, TimeSlot

HIGH_RISK = (RiskLevel.HIGH, RiskLevel.VERY_HIGH)
VERY_HIGH_RISK_CAUTION = (
    "Very high risk: agree the match with your manager, and plan the first meetings in a staffed place."
)
# A forbidden pair's cost in `plan`: more than any set of allowed pairs can add up to.
FORBIDDEN = 1_000_000


@dataclass(frozen=True)
class Veto:
    """Why a mentor is not offered. A soft veto may be overridden with a reason; a hard one never."""

    code: str
    words: str
    hard: bool


@dataclass(frozen=True)
class Factor:
    """Something that counts for a mentor: a code, the programme's points for it, and the words."""

    code: str
    points: int
    words: str


@dataclass
class Match:
    """One mentor for one case: the vetoes that stop it, and the factors for it."""

    mentor: Mentor
    vetoes: list = field(default_factory=list)
    factors: list = field(default_factory=list)
    shown: list = field(default_factory=list)  # the factors that tell offered mentors apart
    rank: int | None = None

    @property
    def score(self):
        return sum(f.points for f in self.factors)

    @property
    def offered(self):
        return not self.vetoes

    @property
    def hard_vetoes(self):
        return [v for v in self.vetoes if v.hard]

    @property
    def soft_vetoes(self):
        return [v for v in self.vetoes if not v.hard]

    @property
    def reasons(self):
        return [f.words for f in self.shown]


@dataclass
class Context:
    """What matching one batch of cases reads, loaded once."""

    on: object
    mentors: list
    preferences: dict
    settings: dict
    taken: dict
    conflicts: set
    high_risk: dict  # {client id: the highest level of an active "risk to others" flag}


def _norm(value):
    return " ".join((value or "").split()).casefold()


def postcode_district(postcode):
    """The outward code of a UK postcode ("NE6 1AB" -> "ne6"), or "" when it is not one."""
    compact = re.sub(r"\s+", "", postcode or "").casefold()
    if len(compact) < 5:
        return ""
    return compact[:-3]


def _gender_label(value):
    return dict(Gender.choices).get(value, value).lower()


def _times_label(codes):
    labels = dict(TimeSlot.choices)
    return ", ".join(labels.get(c, c).lower() for c in codes)


def vetoes(case, mentor, ctx):
    """Every reason `mentor` may not be offered for `case`, hard ones first."""
    on = ctx.on
    found = []
    hard = found.append
    if not mentor.active:
        hard(Veto("inactive", "No longer active in the service", True))
    elif mentor.is_on_leave(on):
        hard(Veto("on_leave", f"On leave until {mentor.on_leave_until:%-d %b %Y}", True))
    if not any(p.pk == case.programme_id for p in mentor.programmes.all()):
        hard(Veto("programme", f"Does not work in {case.programme}", True))
    if not mentor.dbs_certificate_on:
        hard(Veto("dbs_missing", "No DBS check recorded", True))
    elif mentor.dbs_expired(on):
        hard(Veto("dbs_expired", f"DBS renewal overdue since {mentor.dbs_renewal_due:%-d %b %Y}", True))
    if mentor.dbs_status_review_needed:
        hard(Veto("dbs_review", "DBS status changed: a lead must review it first", True))
    if not mentor.references_received:
        hard(Veto("references", "References not received", True))
    if mentor.has_expired_training:
        hard(Veto("training_expired", "Training expired", True))
    if (case.client_id, mentor.pk) in ctx.conflicts:
        hard(Veto("conflict", "A conflict is recorded with this client", True))
    return found + _soft_vetoes(case, mentor, ctx)


def _soft_vetoes(case, mentor, ctx):
    found = []
    if mentor.caseload >= mentor.max_caseload:
        found.append(Veto("capacity", f"No room: caseload {mentor.caseload} of {mentor.max_caseload}", False))
    preference = ctx.preferences.get(case.pk)
    if preference is not None:
        wanted = preference.mentor_gender
        if wanted and preference.mentor_gender_required and mentor.gender != wanted:
            found.append(Veto("gender", f"The client will only meet a {_gender_label(wanted)} mentor", False))
        if preference.lived_experience_required and not mentor.lived_experience:
            found.append(Veto("lived_experience", "The client asked only for a mentor with lived experience", False))
    programme_settings = ctx.settings[case.programme_id]
    if case.client_id in ctx.high_risk and not programme_settings.allows(mentor, ctx.on):
        rule = programme_settings.get_high_risk_rule_display().lower()
        found.append(Veto("risk_rule", f"High risk to others: {rule}", False))
    return found


def factors(case, mentor, ctx):
    """What counts for `mentor` on `case`, in the programme's points. Never negative."""
    client = case.client
    weights = ctx.settings[case.programme_id]
    preference = ctx.preferences.get(case.pk)
    found = []
    areas = {_norm(a) for a in mentor.areas or []}
    district = postcode_district(client.postcode)
    if client.area and _norm(client.area) in areas:
        found.append(Factor("area", weights.area_weight, f"Covers {client.area}, where the client lives"))
    elif district and district in areas:
        found.append(Factor("area", weights.area_weight, f"Covers {district.upper()}, the client's postcode district"))
    language = _norm(client.first_language)
    if language and language != "english" and language in {_norm(x) for x in mentor.languages or []}:
        found.append(Factor("language", weights.language_weight, f"Speaks {client.first_language}, the client's first language"))
    if preference is not None:
        found += _preference_factors(preference, mentor, weights)
    spare = max(mentor.max_caseload - mentor.caseload, 0)
    if spare:
        points = round(weights.capacity_weight * spare / mentor.max_caseload)
        found.append(Factor("capacity", points, f"Caseload {mentor.caseload} of {mentor.max_caseload}: room for {spare} more"))
    return found


def _preference_factors(preference, mentor, weights):
    found = []
    if preference.mentor_gender and mentor.gender == preference.mentor_gender:
        label = _gender_label(preference.mentor_gender)
        found.append(Factor("gender", weights.gender_weight, f"A {label} mentor, as the client prefers"))
    if (preference.lived_experience_wanted or preference.lived_experience_required) and mentor.lived_experience:
        found.append(Factor("lived_experience", weights.lived_experience_weight, "Has lived experience of the justice system, as the client wants"))
    needs = {s.pk for s in preference.needs.all()}
    shared = sorted((s for s in mentor.strengths.all() if s.pk in needs), key=lambda s: (s.order, s.name))
    if shared:
        names = ", ".join(s.name.lower() for s in shared)
        found.append(Factor("strengths", weights.strengths_weight * len(shared), f"Strong in what the client wants help with: {names}"))
    both = [t for t in preference.times_wanted or [] if t in (mentor.available_times or [])]
    if both:
        found.append(Factor("availability", weights.availability_weight, f"Free {_times_label(both)}, when the client can meet"))
    return found


def match(case, mentor, ctx):
    return Match(mentor=mentor, vetoes=vetoes(case, mentor, ctx), factors=factors(case, mentor, ctx))


def _distinguishing(matches):
    """Mark each match's shown factors: those not shared alike by every offered mentor."""
    offered = [m for m in matches if m.offered]
    common = None
    for m in offered:
        pairs = {(f.code, f.points) for f in m.factors}
        common = pairs if common is None else common & pairs
    if len(offered) < 2:
        common = set()
    for m in matches:
        m.shown = [f for f in m.factors if (f.code, f.points) not in common]


def _order(m):
    return (-m.score, m.mentor.caseload, m.mentor.first_name, m.mentor.last_name, m.mentor.pk)


def rank(case, ctx):
    """All mentors for `case`: the offered ones best first (with `rank` set), then the others."""
    matches = [match(case, mentor, ctx) for mentor in ctx.mentors if mentor.pk not in ctx.taken[case.pk]]
    matches.sort(key=_order)
    offered = [m for m in matches if m.offered]
    for n, m in enumerate(offered, start=1):
        m.rank = n
    _distinguishing(matches)
    return offered + [m for m in matches if not m.offered]


def load(cases, *, on=None, exclude=()):
    """Read everything matching `cases` needs, in a fixed number of queries."""
    on = on or timezone.localdate()
    programme_ids = {c.programme_id for c in cases}
    case_ids = [c.pk for c in cases]
    client_ids = {c.client_id for c in cases}
    mentors = list(
        Mentor.objects.active().filter(pk__in=Mentor.objects.filter(programmes__in=programme_ids).values("pk"))
        .exclude(pk__in=[getattr(m, "pk", m) for m in exclude])
        .with_caseload(on).with_compliance(on)
        .prefetch_related("strengths", "programmes")
        .order_by("first_name", "last_name", "pk")
    )
    preferences = {
        p.case_id: p for p in CaseMatchPreference.objects.filter(case__in=case_ids).prefetch_related("needs")
    }
    taken = {pk: set() for pk in case_ids}
    for case_id, mentor_id in Allocation.objects.current(on).filter(case__in=case_ids).values_list("case_id", "mentor_id"):
        taken[case_id].add(mentor_id)
    conflicts = set(MentorConflict.objects.filter(client__in=client_ids).values_list("client_id", "mentor_id"))
    high_risk = dict(
        RiskFlag.objects.active().filter(client__in=client_ids, kind=RiskFlag.Kind.TO_OTHERS, level__in=HIGH_RISK)
        .values_list("client_id", "level")
    )
    return Context(
        on=on, mentors=mentors, preferences=preferences, settings=MatchingSettings.for_programmes(programme_ids),
        taken=taken, conflicts=conflicts, high_risk=high_risk,
    )


def caution(case, ctx=None):
    """The words a lead must read before matching a very-high-risk client, or ""."""
    flagged = ctx is not None and ctx.high_risk.get(case.client_id) == RiskLevel.VERY_HIGH
    return VERY_HIGH_RISK_CAUTION if flagged or case.client.risk_level == RiskLevel.VERY_HIGH else ""


def matches_for_cases(cases, *, on=None, exclude=()):
    """{case id: [Match, ...]}: offered best first, then those not offered. `cases` need `client`."""
    cases = list(cases)
    if not cases:
        return {}
    ctx = load(cases, on=on, exclude=exclude)
    return {case.pk: rank(case, ctx) for case in cases}


def suggestions_for_cases(cases, *, limit=3, on=None, exclude=()):
    """{case id: [offered Match, ...] best first}, at most `limit` each."""
    result = {}
    for case_id, matches in matches_for_cases(cases, on=on, exclude=exclude).items():
        offered = [m for m in matches if m.offered]
        result[case_id] = offered[:limit] if limit else offered
    return result


def suggestions_for(case, *, limit=5, on=None, exclude=()):
    """The ranked, offered mentors for one case."""
    return suggestions_for_cases([case], limit=limit, on=on, exclude=exclude)[case.pk]


def match_for(case, mentor, *, on=None):
    """How `mentor` fares for `case` (vetoes and factors), as allocating checks it."""
    ctx = load([case], on=on)
    loaded = next((m for m in ctx.mentors if m.pk == mentor.pk), None)
    if loaded is None:
        loaded = Mentor.objects.with_caseload(ctx.on).with_compliance(ctx.on).get(pk=mentor.pk)
    return match(case, loaded, ctx)


@dataclass
class Proposal:
    """One waiting case in a whole-list proposal: the proposed match (or None) and the options."""

    case: object
    match: Match | None
    options: list  # offered matches for the case, best first
    caution: str = ""


def assign(scores, capacities):
    """The best assignment of rows (cases) to columns (mentors), each column at most its capacity.

    `scores[i][j]` is the score of case i with mentor j, None where forbidden. Returns
    {row: column} for the rows given a mentor: as many rows as possible, then the highest total.
    """
    slots = [j for j, free in enumerate(capacities) for _ in range(min(free, len(scores)))]
    if not scores or not slots:
        return {}
    top = max((s for row in scores for s in row if s is not None), default=0)
    cost = np.full((len(scores), len(slots)), FORBIDDEN, dtype=float)
    for i, row in enumerate(scores):
        for k, j in enumerate(slots):
            if row[j] is not None:
                cost[i, k] = top + 1 - row[j]
    rows, cols = linear_sum_assignment(cost)
    return {int(i): slots[k] for i, k in zip(rows, cols, strict=True) if cost[i, k] < FORBIDDEN}


def plan(cases, *, on=None, exclude=()):
    """A proposed mentor for every case at once, sharing out each mentor's free places.

    An assignment problem (SciPy's `linear_sum_assignment`): each mentor stands for as many
    columns as they have free places, vetoed pairs are forbidden. Returns [Proposal] in the
    order of `cases`; a case no offered mentor has room for is proposed no one.
    """
    cases = list(cases)
    if not cases:
        return []
    ctx = load(cases, on=on, exclude=exclude)
    ranked = [rank(case, ctx) for case in cases]
    mentors = ctx.mentors
    index = {m.pk: j for j, m in enumerate(mentors)}
    scores = [[None] * len(mentors) for _ in cases]
    for i, matches in enumerate(ranked):
        for m in matches:
            if m.offered:
                scores[i][index[m.mentor.pk]] = m.score
    chosen = assign(scores, [max(m.max_caseload - m.caseload, 0) for m in mentors])
    proposals = []
    for i, (case, matches) in enumerate(zip(cases, ranked, strict=True)):
        offered = [m for m in matches if m.offered]
        pick = next((m for m in offered if i in chosen and m.mentor.pk == mentors[chosen[i]].pk), None)
        proposals.append(Proposal(case=case, match=pick, options=offered, caution=caution(case, ctx)))
    return proposals


def plan_reallocation(cases, *, from_mentor, on=None):
    """For each of `from_mentor`'s cases, the ranked offered mentors and one proposed, sharing capacity.

    Returns {case id: (offered matches, proposed Match or None)}.
    """
    return {p.case.pk: (p.options, p.match) for p in plan(cases, on=on, exclude=[from_mentor])}
