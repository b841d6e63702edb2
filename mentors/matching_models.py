"""What matching reads besides the mentors themselves: a client's preferences for a case, the
conflicts that keep a mentor away from a client, and each programme's matching settings.

Part of the mentors app (app_label "mentors"): mentors/models.py imports these classes, so
`mentors.models.CaseMatchPreference` and the others are where they always were. The
algorithm that reads them is mentors/matching.py.
"""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils import timezone

from clients.models import Case, Gender
from mentoring.locking import VersionedModel
from mentoring.models import Programme
from mentoring.querysets import RestrictedQuerySet


class CaseMatchPreference(VersionedModel):
    """What matters to the client in a mentor, recorded by the lead before matching."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="match_preference")
    mentor_gender = models.CharField(
        "preferred gender of mentor", max_length=20, blank=True,
        choices=[(value, label) for value, label in Gender.choices if value not in (Gender.NOT_KNOWN, Gender.OTHER)],
        help_text="Choose “No preference” if any gender will do.",
    )
    mentor_gender_required = models.BooleanField(
        "the mentor's gender is a must", default=False,
        help_text="Mentors of another gender are not offered without a reason.",
    )
    lived_experience_wanted = models.BooleanField(
        "wants a mentor with lived experience", default=False,
        help_text="The client asked for someone who has been through the justice system.",
    )
    lived_experience_required = models.BooleanField(
        "lived experience is a must", default=False,
        help_text="Mentors without it are not offered without a reason.",
    )
    needs = models.ManyToManyField(
        "mentors.Strength", blank=True, related_name="+", verbose_name="help the client wants",
        help_text="Mentors strong in these areas rank higher.",
    )
    times_wanted = models.JSONField("when the client can meet", default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_path = "case"  # whose row this is, for mentoring.access.restrict
    objects = RestrictedQuerySet.as_manager()

    def __str__(self):
        return f"Matching preferences for case {self.case_id}"

    @property
    def audit_client_id(self):
        return self.case.client_id


class MentorConflict(models.Model):
    """A reason a mentor must not work with a client, recorded by a lead: never offered again."""

    class Kind(models.TextChoices):
        KNOWS_CLIENT = "knows_client", "Knows the client"
        SAME_ESTATE = "same_estate", "Lives on the same estate"
        CO_DEFENDANT = "co_defendant", "Co-defendant"
        VICTIM_LINK = "victim_link", "Linked to a victim"

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="mentor_conflicts")
    mentor = models.ForeignKey("mentors.Mentor", on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_on = models.DateField(default=timezone.localdate)

    access_path = "client"  # whose row this is, for mentoring.access.restrict
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["mentor__first_name", "kind"]
        constraints = [models.UniqueConstraint(fields=["client", "mentor", "kind"], name="one_conflict_per_kind")]

    def __str__(self):
        return f"{self.mentor}: {self.get_kind_display().lower()}"

    @property
    def audit_client_id(self):
        return self.client_id


class MatchingSettings(VersionedModel):
    """How a programme weighs matching factors, and which mentors its high-risk clients may have."""

    class RiskRule(models.TextChoices):
        PAID_OR_EXPERIENCED = "paid_or_experienced", "Paid or experienced mentors only"
        PAID_ONLY = "paid_only", "Paid mentors only"
        ANY = "any", "Any vetted mentor"

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="matching_settings")
    area_weight = models.PositiveSmallIntegerField(default=3)
    language_weight = models.PositiveSmallIntegerField(default=2)
    gender_weight = models.PositiveSmallIntegerField(default=3)
    lived_experience_weight = models.PositiveSmallIntegerField(default=3)
    strengths_weight = models.PositiveSmallIntegerField(default=2, help_text="Per need the mentor is strong in.")
    availability_weight = models.PositiveSmallIntegerField(default=2)
    capacity_weight = models.PositiveSmallIntegerField(default=2, help_text="For a mentor with an empty caseload.")
    high_risk_rule = models.CharField(
        "clients at high risk to others", max_length=30, choices=RiskRule.choices, default=RiskRule.PAID_OR_EXPERIENCED,
    )
    experienced_after_months = models.PositiveSmallIntegerField(
        default=12, help_text="A volunteer or peer mentor counts as experienced after this many months with us.",
    )

    class Meta:
        verbose_name = "matching settings"
        verbose_name_plural = "matching settings"

    def __str__(self):
        return f"Matching settings for {self.programme}"

    @classmethod
    def for_programmes(cls, programme_ids):
        """{programme id: settings}, the defaults (unsaved) where none were saved."""
        saved = {s.programme_id: s for s in cls.objects.filter(programme_id__in=programme_ids)}
        return {pk: saved.get(pk) or cls(programme_id=pk) for pk in programme_ids}

    def allows(self, mentor, on=None):
        """Whether the high-risk rule lets `mentor` work with a client at high risk to others."""
        if self.high_risk_rule == self.RiskRule.PAID_ONLY:
            return mentor.mentor_type == mentor.Type.PAID
        if self.high_risk_rule == self.RiskRule.PAID_OR_EXPERIENCED:
            return mentor.is_experienced(self.experienced_after_months, on)
        return True


auditlog.register(MentorConflict)
auditlog.register(MatchingSettings, exclude_fields=["version"])
auditlog.register(CaseMatchPreference, exclude_fields=["version"])
