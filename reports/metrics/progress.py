"""The report's progress sections: one per assessment template its programmes use.

A programme may name its own assessment templates (`AssessmentTemplate.programmes`); one that
names none uses the default template (the progress wheel, else the first active one). Each
distinct template gets one section over the cohort cases of the programmes that use it, so a
service with its own outcome tool reports its own follow-ups and domain changes instead of
none. Each section takes a fixed number of queries (its domains, its follow-up count, its
domain changes), however many cases it covers.
"""

from django.db.models import F

from outcomes.models import DEFAULT_TEMPLATE, AssessmentTemplate

from .per_case import assessment_rows
from .result import ProgressSection
from .sections import assessments_part


def default_template():
    """The progress wheel, or else the first active assessment template."""
    return (AssessmentTemplate.objects.filter(code=DEFAULT_TEMPLATE).first()
            or AssessmentTemplate.objects.filter(active=True).order_by("pk").first())


def templates_of(programmes):
    """[(template, [programmes that use it])], in the order of `programmes` and, within one
    programme, of its templates' names. One query for the named templates, and the default's
    only when a programme names none (or there is no programme)."""
    named = {}
    for template in (AssessmentTemplate.objects.filter(programmes__in=[p.pk for p in programmes])
                     .annotate(programme_pk=F("programmes")).order_by("name", "pk")):
        named.setdefault(template.programme_pk, []).append(template)
    uses, default = {}, None
    for programme in programmes:
        if programme.pk not in named and default is None:
            default = default_template()
        for template in named.get(programme.pk) or [default]:
            key = template.pk if template else None
            uses.setdefault(key, (template, []))[1].append(programme)
    if not uses:
        return [(default_template(), [])]
    return list(uses.values())


def progress_sections(cases, programmes, as_of, template=None):
    """One `ProgressSection` per template (just `template`, over the whole cohort, when given)."""
    programmes = list(programmes)
    chosen = [(template, programmes)] if template else templates_of(programmes)
    sections = []
    for one, users in chosen:
        if len(users) == len(programmes):
            case_ids = cases.values("pk")  # the whole cohort: the same SQL as the other sections
        else:
            case_ids = cases.filter(programme__in=[p.pk for p in users]).values("pk")
        sections.append(progress_section(case_ids, as_of, one, [p.code for p in users]))
    return sections


def progress_section(case_ids, as_of, template, programme_codes):
    """The follow-ups and change by domain of `template` over the cases `case_ids`."""
    followups = (assessment_rows(case_ids, as_of, template).filter(n__gte=2).count() if template else 0)
    part = assessments_part(case_ids, as_of, template, followups)
    return ProgressSection(
        template=template.code if template else "", template_name=template.name if template else "",
        scale_max=template.scale_max if template else 10, programmes=programme_codes,
        figures=part.figures, bases=part.bases, numerators=part.numerators, people=part.people, labels=part.labels,
    )
