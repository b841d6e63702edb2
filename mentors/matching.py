"""Matching suggestions: which mentors to put beside a client, with the reasons in words.

Matching is the project lead's judgement; this module makes it quick and explains itself.
Hard filters are never broken: a suggested mentor is active and not on leave, vetted (DBS
checked, not past renewal, references received), below their maximum caseload and works
in the case's programme. Among those, each mentor scores points for what the client's
data and preferences ask for, and every point comes with a sentence saying why.

Everything is computed in a fixed number of queries however many mentors or cases there
are: one for the mentors (caseload as a subquery), one for their strengths, one for their
programmes, one for the cases' current allocations and two for the preferences.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from clients.models import Gender

from .models import Allocation, CaseMatchPreference, Mentor

# Points per reason: what the seeds' service users said matters most weighs most.
SAME_AREA = 3
SHARED_LANGUAGE = 2
GENDER_PREFERENCE = 3
GENDER_MISMATCH = -3
STRENGTH = 2
LIVED_EXPERIENCE = 3
NO_LIVED_EXPERIENCE = -2
CAPACITY_MAX = 2


@dataclass
class Suggestion:
    """One mentor for one case: a score and the reasons for it, in words."""

    mentor: Mentor
    score: int = 0
    reasons: list = field(default_factory=list)  # what counts for the mentor
    cautions: list = field(default_factory=list)  # what counts against

    def add(self, points, text):
        self.score += points
        (self.reasons if points >= 0 else self.cautions).append(text)


def _norm(value):
    return (value or "").strip().casefold()


def _gender_label(value):
    return dict(Gender.choices).get(value, value).lower()


def score(case, mentor, preference=None):
    """Score one mentor for one case. `mentor` needs `caseload` and prefetched `strengths`."""
    client = case.client
    suggestion = Suggestion(mentor=mentor)
    areas = {_norm(a) for a in mentor.areas or []}
    if client.area and _norm(client.area) in areas:
        suggestion.add(SAME_AREA, f"Covers {client.area}, where the client lives")
    languages = {_norm(language) for language in mentor.languages or []}
    if client.first_language and _norm(client.first_language) in languages:
        suggestion.add(SHARED_LANGUAGE, f"Speaks {client.first_language}, the client's first language")
    if preference is not None:
        wanted = preference.mentor_gender
        if wanted:
            if mentor.gender == wanted:
                suggestion.add(GENDER_PREFERENCE, f"A {_gender_label(wanted)} mentor, as the client prefers")
            else:
                suggestion.add(GENDER_MISMATCH, f"The client prefers a {_gender_label(wanted)} mentor")
        needs = {s.pk: s for s in preference.needs.all()}
        shared = [s for s in mentor.strengths.all() if s.pk in needs]
        if shared:
            names = ", ".join(s.name.lower() for s in sorted(shared, key=lambda s: (s.order, s.name)))
            suggestion.add(STRENGTH * len(shared), f"Strong in what the client wants help with: {names}")
        if preference.lived_experience_wanted:
            if mentor.lived_experience:
                suggestion.add(LIVED_EXPERIENCE, "Has lived experience of the justice system, as the client wants")
            else:
                suggestion.add(NO_LIVED_EXPERIENCE, "No lived experience of the justice system, which the client wants")
    spare = mentor.max_caseload - mentor.caseload
    points = round(CAPACITY_MAX * spare / mentor.max_caseload) if mentor.max_caseload else 0
    suggestion.add(points, f"Caseload {mentor.caseload} of {mentor.max_caseload}: room for {spare} more")
    return suggestion


def candidates(programme_ids, *, on=None, exclude=()):
    """Mentors who pass the hard filters in any of the programmes, ready for scoring."""
    on = on or timezone.localdate()
    return list(
        Mentor.objects.suggestible(on)
        .filter(pk__in=Mentor.objects.filter(programmes__in=programme_ids).values("pk"))
        .exclude(pk__in=[m.pk if hasattr(m, "pk") else m for m in exclude])
        .prefetch_related("strengths", "programmes")
        .order_by("first_name", "last_name", "pk")
    )


def preferences_for(cases):
    """{case id: CaseMatchPreference} with needs prefetched (two queries)."""
    rows = CaseMatchPreference.objects.filter(case__in=[c.pk for c in cases]).prefetch_related("needs")
    return {p.case_id: p for p in rows}


def current_mentor_ids(cases, on=None):
    """{case id: ids of mentors already allocated to it}: they are not suggested again."""
    result = {c.pk: set() for c in cases}
    for case_id, mentor_id in Allocation.objects.current(on).filter(case__in=[c.pk for c in cases]).values_list(
        "case_id", "mentor_id"
    ):
        result[case_id].add(mentor_id)
    return result


def _rank(case, mentors, preference, taken):
    found = [
        score(case, mentor, preference)
        for mentor in mentors
        if mentor.pk not in taken and any(p.pk == case.programme_id for p in mentor.programmes.all())
    ]
    found.sort(key=lambda s: (-s.score, s.mentor.caseload, s.mentor.first_name, s.mentor.last_name, s.mentor.pk))
    return found


def suggestions_for_cases(cases, *, limit=3, on=None, exclude=()):
    """{case id: [Suggestion, ...] best first} for many cases at once, in fixed queries.

    `cases` need `client` loaded (select_related) for the area and language.
    """
    cases = list(cases)
    if not cases:
        return {}
    on = on or timezone.localdate()
    mentors = candidates({c.programme_id for c in cases}, on=on, exclude=exclude)
    preferences = preferences_for(cases)
    taken = current_mentor_ids(cases, on)
    result = {}
    for case in cases:
        ranked = _rank(case, mentors, preferences.get(case.pk), taken[case.pk])
        result[case.pk] = ranked[:limit] if limit else ranked
    return result


def suggestions_for(case, *, limit=5, on=None, exclude=()):
    """The ranked suggestions for one case."""
    return suggestions_for_cases([case], limit=limit, on=on, exclude=exclude)[case.pk]


def plan_reallocation(cases, *, from_mentor, on=None):
    """For each case, the ranked suggestions and one preselected mentor, sharing capacity.

    Cases are taken in order and each pick counts against the chosen mentor's remaining
    capacity, so preselecting never pushes a mentor past their maximum caseload.
    Returns {case id: (suggestions, preselected Suggestion or None)}.
    """
    cases = list(cases)
    if not cases:
        return {}
    on = on or timezone.localdate()
    mentors = candidates({c.programme_id for c in cases}, on=on, exclude=[from_mentor])
    preferences = preferences_for(cases)
    taken = current_mentor_ids(cases, on)
    planned = {}
    result = {}
    for case in cases:
        ranked = _rank(case, mentors, preferences.get(case.pk), taken[case.pk])
        pick = next(
            (s for s in ranked if s.mentor.caseload + planned.get(s.mentor.pk, 0) < s.mentor.max_caseload), None
        )
        if pick is not None:
            planned[pick.mentor.pk] = planned.get(pick.mentor.pk, 0) + 1
        result[case.pk] = (ranked, pick)
    return result

