from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from clients.models import Case, Client
from mentoring import audit
from mentoring.models import Programme, Taxonomy
from mentoring.querysets import RestrictedQuerySet


class ReferralSource(Taxonomy):
    """The kind of agency a referral comes from: probation, IOM, youth justice, A&E, self..."""


class ReferralQuerySet(RestrictedQuerySet):
    def awaiting_decision(self):
        return self.filter(decision=Referral.Decision.PENDING)

    def in_programmes(self, programmes):
        return self.filter(programme__in=programmes)

    def queue(self):
        """The lead's queue: pending first, then oldest first."""
        pending_first = models.Case(
            models.When(decision=Referral.Decision.PENDING, then=models.Value(0)),
            default=models.Value(1),
            output_field=models.IntegerField(),
        )
        return self.annotate(pending_first=pending_first).order_by("pending_first", "received_on", "id")


class Referral(models.Model):
    """A request from an agency (or the person themselves) for a client to be mentored."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Readiness(models.TextChoices):
        NOT_CHECKED = "not_checked", "Not checked yet"
        READY = "ready", "Motivated and ready to engage"
        UNSURE = "unsure", "Unsure: needs a conversation"
        NOT_READY = "not_ready", "Not ready to engage now"

    referral_ref = models.CharField("referral reference", max_length=50, unique=True, null=True, blank=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="referrals")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="referrals")
    received_on = models.DateField(default=timezone.localdate)
    source = models.ForeignKey(ReferralSource, on_delete=models.PROTECT, related_name="referrals")
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_organisation = models.CharField(max_length=150, blank=True)
    referrer_contact = models.CharField("referrer phone or email", max_length=150, blank=True)
    needs = models.TextField("needs identified", blank=True)
    wants_help_with = models.TextField("what they want help with", blank=True)
    readiness = models.CharField(
        "motivation check", max_length=20, choices=Readiness.choices, default=Readiness.NOT_CHECKED,
        help_text="Engagement is voluntary: has the person said they want a mentor?",
    )
    readiness_notes = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING, db_index=True)
    decided_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="referral")
    # The eligibility rules it failed when decided (their words, as the page showed them), and
    # why it was accepted all the same.
    failed_rules = models.JSONField(default=list, blank=True, help_text="Rules failed at the decision.")
    override_reason = models.TextField("why it was accepted although not eligible", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["programme", "received_on"], name="referral_received")]

    def __str__(self):
        return f"Referral of {self.client} to {self.programme.code} on {self.received_on:%-d %b %Y}"

    @property
    def audit_client_id(self):
        return self.client_id

    @property
    def waiting_days(self):
        end = self.decided_on or timezone.localdate()
        return (end - self.received_on).days

    def decision_in_words(self):
        """'accepted by Charlie Lead on 23 Nov 2026': what happened to a decided referral."""
        text = self.get_decision_display().lower()
        if self.decided_by_id:
            text += f" by {self.decided_by.get_full_name() or self.decided_by.get_username()}"
        if self.decided_on:
            text += f" on {self.decided_on:%-d %b %Y}"
        return text

    def _decide(self, decision, *, by, on, reason, failed_rules=None):
        # Two leads may press a button on the same referral at once: the row lock makes the
        # second wait for the first, and the re-read shows it the first one's decision.
        self.refresh_from_db(from_queryset=Referral.objects.select_for_update())
        if self.decision != self.Decision.PENDING:
            raise ValidationError(f"This referral was already {self.decision_in_words()}.", code="stale")
        on = on or timezone.localdate()
        if on < self.received_on:
            raise ValidationError("A decision cannot be dated before the referral was received.")
        self.decision = decision
        self.decided_on = on
        self.decision_reason = reason
        self.decided_by = by if by is not None and by.is_authenticated else None
        if failed_rules is not None:  # the eligibility rules it fails, as the decision found them
            self.failed_rules = list(failed_rules)

    @transaction.atomic
    def accept(self, *, by=None, on=None, reason="", failed_rules=None, override_reason=""):
        """Accept the referral: a case opens in the programme, waiting for a mentor.

        One that fails an eligibility rule (`failed_rules`, as the decision found them) is
        accepted only with `override_reason`, which is kept and audited.
        """
        self._decide(self.Decision.ACCEPTED, by=by, on=on, reason=reason, failed_rules=failed_rules)
        if self.failed_rules and not override_reason.strip():
            raise ValidationError("Say why you accept a referral that does not meet the programme's rules.")
        self.override_reason = override_reason.strip()
        self.case = Case.objects.create(client=self.client, programme=self.programme, started_on=self.decided_on)
        self.save()
        audit.record(by, "referral.accepted", self, case=self.case.pk)
        if self.failed_rules:
            audit.record(by, "referral.accepted_by_override", self, rules_failed=len(self.failed_rules))
        audit.record(by, "case.opened", self.case, referral=self.pk)
        return self.case

    def record_criteria(self, found, *, criteria):
        """Store what the lead found for each of `criteria`: met, not met, or (absent from
        `found`) not known, which removes an earlier finding."""

        for criterion in criteria:
            if criterion.pk in found:
                ReferralCriterion.objects.update_or_create(
                    referral=self, criterion=criterion, defaults={"met": found[criterion.pk]})
            else:
                ReferralCriterion.objects.filter(referral=self, criterion=criterion).delete()

    @transaction.atomic
    def decline(self, *, reason, by=None, on=None, failed_rules=None):
        if not reason.strip():
            raise ValidationError("Say why the referral is declined.")
        self._decide(self.Decision.DECLINED, by=by, on=on, reason=reason, failed_rules=failed_rules)
        self.save()
        audit.record(by, "referral.declined", self, decided_on=self.decided_on.isoformat())

    @transaction.atomic
    def withdraw(self, *, reason="", by=None, on=None, failed_rules=None):
        self._decide(self.Decision.WITHDRAWN, by=by, on=on, reason=reason, failed_rules=failed_rules)
        self.save()
        audit.record(by, "referral.withdrawn", self, decided_on=self.decided_on.isoformat(), reason_given=bool(reason.strip()))


auditlog.register(Referral)


from .eligibility_models import EligibilityCriterion, ProgrammeEligibility, ReferralCriterion  # noqa: E402,F401 - Django finds the models here
