"""One function per section of the report, each returning its figures and what goes with them
(bases, numerators, people, labels) as a `Part`; `compute_report()` puts the parts together."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q

from clients.models import Case, ClosureReason
from contacts.models import Activity
from mentoring.models import Programme
from outcomes.models import Achievement, AchievementType, Answer, Domain, ProgrammeQuestion, Question, Questionnaire
from referrals.models import Referral, ReferralSource

from .cohort import attended_contacts, target_figures
from .definitions import ACHIEVEMENT_CATEGORIES, AGE_BAND_CODES, AGE_BANDS, ETE_CATEGORIES
from .per_case import assessment_rows
from .result import mean, pct, round_half_up
from .sql import _domain_changes


@dataclass
class Part:
    """Some of the report's figures, with the bases, numerators, people and labels that go with them."""

    figures: dict
    bases: dict = field(default_factory=dict)
    numerators: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)


def referrals_part(referrals, totals):
    sources = list(ReferralSource.objects.order_by("order", "code").values_list("code", "name"))
    failing = ~Q(failed_rules=[]) & ~Q(decision=Referral.Decision.PENDING)
    counts = referrals.aggregate(
        received=Count("pk"), accepted=Count("pk", filter=Q(decision=Referral.Decision.ACCEPTED)),
        not_eligible=Count("pk", filter=failing),
        by_override=Count("pk", filter=failing & Q(decision=Referral.Decision.ACCEPTED)))
    engaged = totals["referrals_engaged"] or 0
    by_source = dict(referrals.order_by().values_list("source__code").annotate(n=Count("pk")))
    return Part(
        figures={
            "referrals_received": counts["received"],
            "referrals_by_source": {code: by_source.get(code, 0) for code, _ in sources},
            "referrals_accepted": counts["accepted"],
            "referrals_not_eligible": counts["not_eligible"],
            "referrals_accepted_by_override": counts["by_override"],
            "referrals_engaged": engaged,
            "referral_engagement_rate": pct(engaged, counts["received"]),
        },
        bases={"referral_engagement_rate": counts["received"]},
        numerators={"referral_engagement_rate": engaged},
        labels={"referrals_by_source": dict(sources)},
    )


def engagement_part(cohort_ids, start, end, totals):
    """Cases worked with, engagement and its span, risk, contacts and closures."""
    n, engaged = totals["n"], totals["engaged"]
    age_counts = {code: totals[f"age_{code}"] for code in AGE_BAND_CODES}
    band_labels = {code: label for code, label, *_ in AGE_BANDS}
    activities, by_activity = _sessions_by_activity(cohort_ids, start, end)
    reasons, closed = _cases_closed(cohort_ids, start, end)
    return Part(
        figures={
            "cases_worked_with": n,
            "cases_by_age_band": age_counts,
            "engaged": engaged,
            "engagement_rate": pct(engaged, n),
            "engagement_span_days": {"mean": mean(totals["span_total"] or 0, totals["span_cases"]),
                                     "median": round_half_up(totals["span_median"])},
            "engaged_3_months": totals["e3"],
            "engaged_3_months_rate": pct(totals["e3"], n),
            "engaged_6_months": totals["e6"],
            "engaged_6_months_rate": pct(totals["e6"], n),
            "engaged_6_months_rate_by_age_band": {code: pct(totals[f"e6_{code}"], age_counts[code])
                                                  for code in AGE_BAND_CODES},
            "risk_to_others_rate": pct(totals["n_risk"], n),
            "contacts_attended": totals["contacts"] or 0,
            "contact_hours": round_half_up(Decimal(totals["minutes"] or 0) / 60),
            "sessions_by_activity": {code: by_activity.get(code, 0) for code, _ in activities},
            "cases_closed": {code: closed.get(code, 0) for code, _ in reasons},
        },
        bases={"engagement_rate": n, "engaged_3_months_rate": n, "engaged_6_months_rate": n,
               "engagement_span_days": totals["span_cases"], "engaged_6_months_rate_by_age_band": age_counts,
               "risk_to_others_rate": n},
        numerators={"engagement_rate": engaged, "engaged_3_months_rate": totals["e3"],
                    "engaged_6_months_rate": totals["e6"],
                    "engaged_6_months_rate_by_age_band": {code: totals[f"e6_{code}"] for code in AGE_BAND_CODES},
                    "risk_to_others_rate": totals["n_risk"]},
        people={"engagement_span_days": totals["span_cases"], "contact_hours": totals["period_cases"]},
        labels={"cases_by_age_band": band_labels, "engaged_6_months_rate_by_age_band": band_labels,
                "sessions_by_activity": dict(activities), "cases_closed": dict(reasons)},
    )


def _sessions_by_activity(cohort_ids, start, end):
    activities = list(Activity.objects.order_by("order", "code").values_list("code", "name"))
    period_contacts = attended_contacts(end).filter(case__in=cohort_ids, date__gte=start)
    counts = dict(period_contacts.filter(activities__isnull=False).order_by().values_list("activities__code")
                  .annotate(n=Count("pk")))
    return activities, counts


def _cases_closed(cohort_ids, start, end):
    reasons = list(ClosureReason.objects.order_by("order", "code").values_list("code", "name"))
    closed = dict(
        Case.objects.filter(pk__in=cohort_ids, ended_on__gte=start, ended_on__lte=end, closure_reason__isnull=False)
        .order_by().values_list("closure_reason__code").annotate(n=Count("pk"))
    )
    return reasons, closed


def span_summary(totals, figures):
    """The engagement-span line of the report: cases, mean, median, longest and the engaged cases by span."""
    return {
        "cases": totals["span_cases"],
        **figures["engagement_span_days"],
        "max": totals["span_max"],
        "engaged_under_91": totals["span_0_90"],
        "engaged_91_181": totals["span_91_181"],
        "engaged_182_plus": totals["e6"],
    }


def outcomes_part(cohort_ids, as_of, engaged):
    """Achievements dated from the case's start to `as_of`."""
    types = list(AchievementType.objects.order_by("order", "code").values_list("code", "name", "category"))
    achievements = Achievement.objects.filter(
        case__in=cohort_ids, achieved_on__gte=F("case__started_on"), achieved_on__lte=as_of
    )
    counts = achievements.aggregate(
        ete=Count("case", distinct=True, filter=Q(type__category__in=ETE_CATEGORIES)),
        **{f"cat_{c}": Count("case", distinct=True, filter=Q(type__category=c)) for c in ACHIEVEMENT_CATEGORIES},
    )
    by_type = dict(achievements.order_by().values_list("type__code").annotate(n=Count("case", distinct=True)))
    return Part(
        figures={
            "clients_with_ete_outcome": counts["ete"],
            "ete_outcome_rate": pct(counts["ete"], engaged),
            "clients_by_achievement_category": {c: counts[f"cat_{c}"] for c in ACHIEVEMENT_CATEGORIES},
            "clients_by_achievement_type": {code: by_type.get(code, 0) for code, _, _ in types},
        },
        bases={"ete_outcome_rate": engaged},
        numerators={"ete_outcome_rate": counts["ete"]},
        labels={"clients_by_achievement_category": dict(AchievementType.Category.choices),
                "clients_by_achievement_type": {code: name for code, name, _ in types}},
    ), {code: category for code, _, category in types}


def reoffending_part(totals):
    n, traj = totals["n"], totals["traj"]
    return Part(
        figures={
            "reoffended_during_support": totals["n_during"],
            "no_reoffending_rate": pct(n - totals["n_during"], n),
            "trajectory_cases": traj,
            "reduced_frequency": totals["rf"],
            "reduced_seriousness": totals["rs"],
            "reduced_frequency_rate": pct(totals["rf"], traj),
            "reduced_frequency_and_seriousness_rate": pct(totals["rfs"], traj),
            "reduced_frequency_rate_engaged_6_months": pct(totals["rf_e6"], totals["traj_e6"]),
            "estimated_cost_avoided": int(totals["cost"] or 0),
        },
        bases={"no_reoffending_rate": n, "reduced_frequency_rate": traj,
               "reduced_frequency_and_seriousness_rate": traj,
               "reduced_frequency_rate_engaged_6_months": totals["traj_e6"]},
        numerators={"no_reoffending_rate": n - totals["n_during"], "reduced_frequency_rate": totals["rf"],
                    "reduced_frequency_and_seriousness_rate": totals["rfs"],
                    "reduced_frequency_rate_engaged_6_months": totals["rf_e6"]},
        people={"estimated_cost_avoided": traj},
    )


def assessments_part(cohort_ids, as_of, template, followups):
    """Progress wheel: each follow-up case's latest scores against its first, per domain. An
    assessment is unique per case, template and day, so the first and latest dates of the
    per-case table identify the two assessments."""
    domain_rows = list(Domain.objects.filter(template=template).order_by("order", "code")
                       .values_list("pk", "code", "label")) if template else []
    changes = {code: {"first_mean": None, "latest_mean": None, "improved": 0, "improved_rate": None}
               for _pk, code, _label in domain_rows}
    scores = {code: {"first_mean": 0, "latest_mean": 0} for _pk, code, _label in domain_rows}
    if domain_rows:
        rows = _domain_changes(assessment_rows(cohort_ids, as_of, template).filter(n__gte=2), template)
        for domain_id, code, _ in domain_rows:
            n_latest, latest_total, first_total, n_first, improved = rows.get(domain_id, (0, 0, 0, 0, 0))
            changes[code] = {"first_mean": mean(first_total or 0, n_first),
                             "latest_mean": mean(latest_total or 0, n_latest),
                             "improved": improved, "improved_rate": pct(improved, followups)}
            scores[code] = {"first_mean": n_first, "latest_mean": n_latest}
    key = "assessment_change_by_domain"
    return Part(
        figures={"assessment_followups": followups, key: changes},
        bases={key: followups},
        numerators={key: {code: item["improved"] for code, item in changes.items()}},
        people={key: scores},
        labels={key: {code: label for _pk, code, label in domain_rows}},
    )


def reported_questions(programmes, questionnaires):
    """(code, text) of the statements the report lists, in the bank's order.

    Every statement while none of the programmes has chosen its own (as before programmes
    chose); otherwise those the programmes ask (a programme that chose none asks every active
    one), and any other that was answered in the period, so that no answer goes unreported.
    """
    chosen = ProgrammeQuestion.objects.filter(programme__in=programmes)
    statements = Question.objects.order_by("order", "code")
    if not chosen.exists():
        return list(statements.values_list("code", "text"))
    asked = Q(pk__in=chosen.values("question")) | Q(pk__in=Answer.objects.filter(
        questionnaire__in=questionnaires.values("pk")).values("question"))
    if Programme.objects.filter(pk__in=[p.pk for p in programmes]).exclude(exit_questions__isnull=False).exists():
        asked |= Q(active=True)
    return list(statements.filter(asked).values_list("code", "text"))


def questionnaire_part(cohort_ids, start, end, programmes):
    """Exit questionnaires completed in the period, and the agreement with each statement: over
    the answers that rate it ("Not asked" is an answer that does not)."""
    questionnaires = Questionnaire.objects.filter(case__in=cohort_ids, completed_on__gte=start, completed_on__lte=end)
    questions = reported_questions(programmes, questionnaires)
    completed = questionnaires.count()
    rated = Q(answer__isnull=False)
    answers = {
        code: (total, agree)
        for code, total, agree in Answer.objects.filter(questionnaire__in=questionnaires.values("pk"))
        .order_by().values_list("question__code")
        .annotate(total=Count("pk", filter=rated), agree=Count("pk", filter=Q(answer__gte=4)))
    }
    totals = {code: answers.get(code, (0, 0))[0] for code, _ in questions}
    agreed = {code: answers.get(code, (0, 0))[1] for code, _ in questions}
    key = "questionnaire_agree_rate"
    return Part(
        figures={"questionnaires_completed": completed,
                 key: {code: pct(agreed[code], totals[code]) for code, _ in questions}},
        bases={key: totals},
        numerators={key: agreed},
        labels={key: dict(questions)},
    )


def targets_part(programmes, cases_worked_with):
    target = target_figures(programmes, cases_worked_with)
    return Part(figures=target, bases={"target_progress": target["target_clients"]},
                numerators={"target_progress": cases_worked_with})
