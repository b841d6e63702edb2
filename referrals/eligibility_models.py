"""Who a programme is for: its eligibility rules, and what a lead found for each referral.

An administrator sets a programme's rules (an age range on the referral date, the areas it
covers, criteria from the organisation's own list); the referral page shows each rule as met,
failed or not known; accepting a referral that fails one needs a reason, which is kept with the
referral and counted in the report (referrals_not_eligible, referrals_accepted_by_override).
"""

from django.core.exceptions import ValidationError
from django.db import models

from mentoring.locking import VersionedModel
from mentoring.models import Programme, Taxonomy
from mentoring.querysets import RestrictedQuerySet


class EligibilityCriterion(Taxonomy):
    """A condition a programme may require, from a list the organisation edits: "previous
    convictions", "motivated to engage", "on licence", "care experienced"..."""

    class Meta(Taxonomy.Meta):
        verbose_name_plural = "eligibility criteria"


class ProgrammeEligibility(VersionedModel):
    """A programme's eligibility rules. A programme without them takes everyone referred."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="eligibility")
    min_age = models.PositiveSmallIntegerField("youngest age", null=True, blank=True,
                                               help_text="On the day the referral is received.")
    max_age = models.PositiveSmallIntegerField("oldest age", null=True, blank=True,
                                               help_text="On the day the referral is received.")
    areas = models.JSONField(
        default=list, blank=True,
        help_text="Postcode districts (M1, LE4) or local authorities (Leicester), separated by commas. "
                  "Blank: any area.",
    )
    criteria = models.ManyToManyField(EligibilityCriterion, blank=True, related_name="programmes",
                                      help_text="Each must be met; the lead records it when deciding.")

    class Meta:
        verbose_name = "eligibility rules of a programme"
        verbose_name_plural = "eligibility rules of programmes"

    def __str__(self):
        return f"Eligibility: {self.programme}"

    def clean(self):
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValidationError({"max_age": "The oldest age must be at least the youngest."})


class ReferralCriterionQuerySet(RestrictedQuerySet):
    pass


class ReferralCriterion(models.Model):
    """What the lead found for one criterion of a referral: met or not met (no row: not known)."""

    access_path = "referral"

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="criteria_found")
    criterion = models.ForeignKey(EligibilityCriterion, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField()

    objects = ReferralCriterionQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "criterion"], name="one_finding_per_criterion")]

    @property
    def audit_client_id(self):
        return self.referral.client_id
