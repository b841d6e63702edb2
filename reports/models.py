from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction

from clients.models import Case
from mentoring import audit
from mentoring.locking import VersionedModel
from mentoring.querysets import RestrictedQuerySet


class CaseStudyQuerySet(RestrictedQuerySet):
    def approved(self):
        return self.filter(approved_for_reports=True)

    def for_report(self, programmes, start, end):
        """Stories a manager picked, of cases in the programmes open during the period."""
        cases = Case.objects.in_programmes(programmes).open_during(start, end)
        return self.approved().filter(case__in=cases).select_related("case__programme").order_by("created_at")


class CaseStudy(models.Model):
    """An anonymised story of a client's journey, written with their consent, for reports."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_studies")
    title = models.CharField(max_length=200)
    story = models.TextField(help_text="Use no names or details that could identify the person.")
    consent_given_on = models.DateField("client's consent recorded on")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_for_reports = models.BooleanField(default=False, help_text="A manager has picked it for reports.")
    created_at = models.DateTimeField(auto_now_add=True)

    access_path = "case"  # whose row this is, for mentoring.access.restrict
    objects = CaseStudyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "case studies"

    def __str__(self):
        return self.title

    @property
    def audit_client_id(self):
        return self.case.client_id

    @transaction.atomic
    def include_in_reports(self, *, include, by):
        """A manager picks the story for reports (`include`), or takes it out.

        The press says which it means, and the row lock makes two managers' presses queue: a
        toggle would have undone the first one's choice without either of them knowing.
        """
        self.refresh_from_db(from_queryset=CaseStudy.objects.select_for_update())
        if self.approved_for_reports == include:
            where = "included in" if include else "taken out of"
            raise ValidationError(f"“{self.title}” was already {where} reports.", code="stale")
        self.approved_for_reports = include
        self.save(update_fields=["approved_for_reports"])
        audit.record(by, "case_study.included" if include else "case_study.excluded", self)


auditlog.register(CaseStudy)


def target_figure_choices():
    """The figures a funder may set a target for: the report's single counts and rates (not the
    breakdowns, and not the old `target_clients` pair, which is itself a target)."""
    from .metrics.definitions import DEFINITIONS

    return [(m.name, m.label) for m in DEFINITIONS.values() if m.kind in ("count", "rate") and m.section != "targets"]


class Target(VersionedModel):
    """What a funder expects one figure of the report to reach, for one programme over one period (a
    financial year or a contract period). The report sets the figure's actual against it
    (`reports.metrics.targets`). `Programme.target_clients` stays as it was: the first target, for
    cases worked with, set on the programme itself."""

    programme = models.ForeignKey("mentoring.Programme", on_delete=models.CASCADE, related_name="targets")
    figure = models.CharField(max_length=60, choices=target_figure_choices,
                              help_text="The report figure the target is for (its id in the report's JSON).")
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day of the period: 31 Mar for a financial year.")
    value = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)],
                                help_text="A number of people or things for a count; a percentage (0 to 100) for a rate.")
    note = models.CharField(max_length=200, blank=True, help_text="E.g. the contract or the funder's letter it comes from.")

    class Meta:
        ordering = ["programme__name", "figure", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "figure", "starts_on"], name="target_one_per_start"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="target_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.programme}: {self.get_figure_display()}, {self.starts_on:%-d %b %Y} to {self.ends_on:%-d %b %Y}"

    @property
    def is_rate(self):
        from .metrics.definitions import DEFINITIONS

        metric = DEFINITIONS.get(self.figure)
        return metric is not None and metric.kind == "rate"

    def clean(self):
        """Refuse what the report could not read: a period that ends before it starts, a rate above
        100%, and a second target for the same figure over days another one already covers (which
        one would the report use?)."""
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = "The period must end after it starts."
        if self.figure and self.value is not None and self.is_rate and self.value > 100:
            errors["value"] = "A target for a rate is a percentage: between 0 and 100."
        if not errors and self.programme_id and self.figure and self.starts_on and self.ends_on:
            clash = (Target.objects.filter(programme_id=self.programme_id, figure=self.figure,
                                           starts_on__lte=self.ends_on, ends_on__gte=self.starts_on)
                     .exclude(pk=self.pk).first())
            if clash:
                errors["starts_on"] = (f"{self.programme} already has a target for this figure from "
                                       f"{clash.starts_on:%-d %b %Y} to {clash.ends_on:%-d %b %Y}: the periods overlap.")
        if errors:
            raise ValidationError(errors)


auditlog.register(Target, exclude_fields=["version"])
