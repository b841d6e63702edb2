from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from clients.models import Case
from mentoring import audit
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
