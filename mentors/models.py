from datetime import timedelta

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.models import Case, Gender
from mentoring.locking import VersionedModel
from mentoring.models import Programme, Taxonomy
from mentoring.querysets import RestrictedQuerySet


class Strength(Taxonomy):
    """Something a mentor is good at or interested in: employment, housing, music..."""


class MentorQuerySet(RestrictedQuerySet):
    def active(self):
        return self.filter(active=True)

    def available(self, on=None):
        """Active and not on leave today: the mentors who can take a case."""
        on = on or timezone.localdate()
        return self.active().filter(Q(on_leave_until__isnull=True) | Q(on_leave_until__lt=on))

    def in_programme(self, programme):
        return self.filter(programmes=programme)

    def vetted(self, on=None):
        """DBS checked, not yet due for renewal, no status change awaiting review, references received."""
        on = on or timezone.localdate()
        return self.filter(
            dbs_certificate_on__isnull=False, references_received=True, dbs_status_review_needed=False
        ).filter(Q(dbs_renewal_due__isnull=True) | Q(dbs_renewal_due__gte=on))

    def dbs_status_checks_due(self, on=None, every_days=None):
        """Active mentors with a DBS certificate number whose Update Service status was never
        checked, or last checked `every_days` (DBS_STATUS_CHECK_EVERY_DAYS) or more ago."""
        on = on or timezone.localdate()
        every_days = every_days or settings.DBS_STATUS_CHECK_EVERY_DAYS
        return self.active().exclude(dbs_certificate_number="").filter(
            Q(dbs_status_checked_on__isnull=True) | Q(dbs_status_checked_on__lte=on - timedelta(days=every_days))
        )

    def with_caseload(self, on=None):
        """Annotate `caseload`: open cases with an allocation to the mentor in force on `on`.

        A subquery rather than a join, so it combines with other filters and annotations
        without multiplying rows.
        """
        on = on or timezone.localdate()
        counts = (
            Allocation.objects.current(on)
            .exclude(case__status=Case.Status.CLOSED)
            .filter(mentor=OuterRef("pk"))
            .order_by()
            .values("mentor")
            .annotate(n=Count("case", distinct=True))
            .values("n")
        )
        return self.annotate(caseload=Coalesce(Subquery(counts, output_field=models.IntegerField()), Value(0)))

    def with_capacity(self, on=None):
        """Annotated with `caseload`, keeping only mentors below their maximum caseload."""
        return self.with_caseload(on).filter(caseload__lt=F("max_caseload"))

    def with_compliance(self, on=None):
        """Annotate `has_expired_training` (a course whose latest entry has expired)."""
        on = on or timezone.localdate()
        return self.annotate(
            has_expired_training=Exists(Training.objects.expired(on).filter(mentor=OuterRef("pk")))
        )

    def suggestible(self, on=None):
        """The hard filters of matching: available, vetted and with room for another case."""
        on = on or timezone.localdate()
        return self.available(on).vetted(on).with_capacity(on)


class TimeSlot(models.TextChoices):
    """When a mentor can meet, and when a client wants to."""

    WEEKDAY_MORNINGS = "weekday_mornings", "Weekday mornings"
    WEEKDAY_AFTERNOONS = "weekday_afternoons", "Weekday afternoons"
    WEEKDAY_EVENINGS = "weekday_evenings", "Weekday evenings"
    WEEKENDS = "weekends", "Weekends"


class Mentor(VersionedModel):
    """A paid, volunteer or peer mentor: the person beside the client."""

    class DbsStatus(models.TextChoices):
        """The DBS Update Service's answer to a status check of the mentor's certificate."""

        BLANK_NO_NEW_INFO = "BLANK_NO_NEW_INFO", "No information on the certificate, nothing new"
        NON_BLANK_NO_NEW_INFO = "NON_BLANK_NO_NEW_INFO", "Information on the certificate, nothing new"
        NEW_INFO = "NEW_INFO", "New information: ask for a new check"
        NO_MATCH_FOUND = "NO_MATCH_FOUND", "No match found: check the certificate number and name"

    class Type(models.TextChoices):
        PAID = "paid", "Paid mentor"
        VOLUNTEER = "volunteer", "Volunteer mentor"
        PEER = "peer", "Peer mentor"

    class DbsLevel(models.TextChoices):
        BASIC = "basic", "Basic"
        STANDARD = "standard", "Standard"
        ENHANCED = "enhanced", "Enhanced"
        ENHANCED_BARRED = "enhanced_barred", "Enhanced with barred lists"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentor_profile"
    )
    mentor_ref = models.CharField("mentor reference", max_length=50, unique=True, null=True, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    mentor_type = models.CharField(max_length=20, choices=Type.choices, default=Type.VOLUNTEER)
    programmes = models.ManyToManyField(Programme, blank=True, related_name="mentors")
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_KNOWN)
    areas = models.JSONField("areas covered", default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    lived_experience = models.BooleanField("lived experience of the justice system", default=False)
    lived_experience_share = models.TextField("what they are willing to share", blank=True)
    strengths = models.ManyToManyField(Strength, blank=True, related_name="mentors")
    availability = models.CharField(max_length=200, blank=True, help_text="e.g. 'Weekday evenings, Saturdays'.")
    # A JSON list rather than an ArrayField, so `make run` keeps working on SQLite.
    available_times = models.JSONField("times the mentor can meet", default=list, blank=True)
    max_caseload = models.PositiveSmallIntegerField(default=6)
    active = models.BooleanField(default=True)
    on_leave_until = models.DateField(null=True, blank=True)
    dbs_level = models.CharField("DBS level", max_length=20, choices=DbsLevel.choices, blank=True)
    dbs_certificate_on = models.DateField("DBS certificate date", null=True, blank=True)
    dbs_renewal_due = models.DateField("DBS renewal due", null=True, blank=True)
    references_received = models.BooleanField(default=False)
    dbs_certificate_number = models.CharField("DBS certificate number", max_length=12, blank=True)
    date_of_birth = models.DateField(
        null=True, blank=True, help_text="As on the DBS certificate: the Update Service asks for it with each status check.",
    )
    dbs_status = models.CharField("DBS Update Service status", max_length=30, choices=DbsStatus.choices, blank=True)
    dbs_status_checked_on = models.DateField("DBS status last checked", null=True, blank=True)
    dbs_status_review_needed = models.BooleanField(
        "DBS status change to review", default=False,
        help_text="Set by a status check reporting new information or no match: not vetted until reviewed.",
    )
    dbs_status_review_note = models.TextField("DBS review note", blank=True)
    dbs_status_reviewed_on = models.DateField("DBS status reviewed on", null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)

    objects = MentorQuerySet.as_manager()

    class Meta:
        ordering = ["first_name", "last_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    def is_vetted(self, on=None):
        on = on or timezone.localdate()
        return bool(
            self.dbs_certificate_on
            and self.references_received
            and not self.dbs_status_review_needed
            and (self.dbs_renewal_due is None or self.dbs_renewal_due >= on)
        )

    def is_experienced(self, after_months, on=None):
        """Paid, or mentoring with us for at least `after_months` months."""
        on = on or timezone.localdate()
        if self.mentor_type == self.Type.PAID:
            return True
        return bool(self.started_on and self.started_on <= on - timedelta(days=round(after_months * 30.44)))

    def record_dbs_status(self, status, *, on=None):
        """Record a status check's answer; new information or no match needs a lead's review."""
        self.dbs_status = status
        self.dbs_status_checked_on = on or timezone.localdate()
        if status in (self.DbsStatus.NEW_INFO, self.DbsStatus.NO_MATCH_FOUND):
            self.dbs_status_review_needed = True
        self.save(update_fields=["dbs_status", "dbs_status_checked_on", "dbs_status_review_needed"])

    def record_dbs_review(self, *, note, on=None):
        """A lead has looked into a status change (e.g. seen a new certificate): vetted again."""
        self.dbs_status_review_needed = False
        self.dbs_status_review_note = note
        self.dbs_status_reviewed_on = on or timezone.localdate()
        self.save(update_fields=["dbs_status_review_needed", "dbs_status_review_note", "dbs_status_reviewed_on"])

    def dbs_due_soon(self, on=None, days=30):
        on = on or timezone.localdate()
        return bool(self.dbs_renewal_due and on <= self.dbs_renewal_due <= on + timedelta(days=days))

    def dbs_expired(self, on=None):
        on = on or timezone.localdate()
        return bool(self.dbs_renewal_due and self.dbs_renewal_due < on)

    def is_on_leave(self, on=None):
        on = on or timezone.localdate()
        return bool(self.on_leave_until and self.on_leave_until >= on)

    @property
    def status_in_words(self):
        if not self.active:
            return "Inactive"
        if self.is_on_leave():
            return f"On leave until {self.on_leave_until:%-d %b %Y}"
        return "Active"

    def compliance_warnings(self, on=None):
        """What a lead must act on, in words: DBS renewal, vetting, expired training.

        Reads `has_expired_training` when the queryset annotated it (`with_compliance()`).
        """
        on = on or timezone.localdate()
        warnings = []
        if not self.dbs_certificate_on:
            warnings.append("No DBS check recorded")
        elif self.dbs_expired(on):
            warnings.append(f"DBS renewal overdue since {self.dbs_renewal_due:%-d %b %Y}")
        elif self.dbs_due_soon(on):
            warnings.append(f"DBS renewal due {self.dbs_renewal_due:%-d %b %Y}")
        if not self.references_received:
            warnings.append("References not received")
        if self.dbs_status_review_needed:
            warnings.append(f"DBS status to review: {self.get_dbs_status_display().lower()}")
        expired = getattr(self, "has_expired_training", None)
        if expired is None:
            expired = Training.objects.expired(on).filter(mentor=self).exists()
        if expired:
            warnings.append("Training expired")
        return warnings

    @property
    def spare_capacity(self):
        """Needs `caseload` from `with_caseload()`."""
        return max(self.max_caseload - self.caseload, 0)

    @property
    def caseload_percent(self):
        if not self.max_caseload:
            return 100
        return min(round(100 * self.caseload / self.max_caseload), 100)

    def clean(self):
        if self.dbs_certificate_on and self.dbs_renewal_due and self.dbs_renewal_due < self.dbs_certificate_on:
            raise ValidationError({"dbs_renewal_due": "The renewal date cannot be before the certificate date."})


class TrainingQuerySet(RestrictedQuerySet):
    def expired(self, on=None):
        """Entries past their expiry with no later entry for the same course (not yet refreshed)."""
        on = on or timezone.localdate()
        refreshed = Training.objects.filter(
            mentor=OuterRef("mentor"), course__iexact=OuterRef("course"), completed_on__gt=OuterRef("completed_on")
        )
        return self.filter(expires_on__lt=on).exclude(Exists(refreshed))


class Training(models.Model):
    """A course or qualification a mentor completed, e.g. an OCN Level 2 in Peer Mentoring."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=50, blank=True)
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="For refreshers such as safeguarding.")

    access_path = "mentor"  # whose row this is, for mentoring.access.restrict
    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self):
        return self.course

    def is_expired(self, on=None):
        return bool(self.expires_on and self.expires_on < (on or timezone.localdate()))

    def clean(self):
        if self.expires_on and self.completed_on and self.expires_on < self.completed_on:
            raise ValidationError({"expires_on": "The expiry date cannot be before the date completed."})


class Supervision(models.Model):
    """A supervision session with a mentor (reflective practice, case discussion)."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="supervisions")
    held_on = models.DateField()
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(blank=True)

    access_path = "mentor"  # whose row this is, for mentoring.access.restrict
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on"]


class Progression(models.Model):
    """A step in a mentor's own journey (e.g. moved into paid work) that funders ask about."""

    class Kind(models.TextChoices):
        PAID_EMPLOYMENT = "paid_employment", "Moved into paid employment"
        PAID_MENTOR = "paid_mentor", "Became a paid mentor"
        EDUCATION = "education", "Started education or training"
        QUALIFICATION = "qualification", "Gained a qualification"
        OTHER = "other", "Other"

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="progressions")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    on = models.DateField()
    details = models.CharField(max_length=200, blank=True)

    access_path = "mentor"  # whose row this is, for mentoring.access.restrict
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-on"]


class AllocationQuerySet(RestrictedQuerySet):
    def current(self, on=None):
        """Allocations in force today: started, and not ended before today."""
        on = on or timezone.localdate()
        return self.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))

    def leads(self):
        return self.filter(role=Allocation.Role.LEAD)

    def supporting(self):
        return self.filter(role=Allocation.Role.SUPPORTING)


class Allocation(models.Model):
    """A mentor working on a case, from a start date to an end date, with history kept."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead mentor"
        SUPPORTING = "supporting", "Supporting mentor"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="allocations")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEAD)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True, help_text="The day the allocation ended: from this day the mentor can no longer change the case.")
    end_reason = models.CharField(max_length=200, blank=True)
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    override_reason = models.CharField(
        max_length=300, blank=True, help_text="Why a mentor other than the suggestions was chosen."
    )
    suggested = models.BooleanField(
        null=True, blank=True, help_text="Whether the mentor was among the suggestions (empty: allocated before matching recorded it)."
    )
    overridden = models.JSONField(
        default=list, blank=True, help_text="The codes of the matching rules the lead overrode, with the reason above."
    )

    access_path = "case"  # whose row this is, for mentoring.access.restrict
    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["mentor", "ended_on"], name="allocation_mentor_current")]

    def __str__(self):
        return f"{self.mentor} — {self.get_role_display().lower()} on case {self.case_id}"

    @property
    def audit_client_id(self):
        return self.case.client_id

    def is_current(self, on=None):
        on = on or timezone.localdate()
        return self.started_on <= on and (self.ended_on is None or self.ended_on > on)

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "An allocation cannot end before it started."})
        if self.case_id and self.started_on and self.started_on < self.case.started_on:
            raise ValidationError({"started_on": "An allocation cannot start before the case opened."})


# The matching models live in their own module; imported here, after Allocation as they always
# were, so `mentors.models.X` still finds them and Django registers them in the same order.
from .matching_models import CaseMatchPreference, MatchingSettings, MentorConflict  # noqa: E402, F401

auditlog.register(Mentor, exclude_fields=["version"])
auditlog.register(Allocation)
auditlog.register(Training)
auditlog.register(Supervision)
auditlog.register(Progression)


def cases_needing_a_lead(cases, on=None):
    """Of `cases`, those waiting for a lead mentor: "to allocate", or active with no current lead."""
    leads = Allocation.objects.current(on).leads().filter(case=OuterRef("pk"))
    return cases.filter(status__in=[Case.Status.TO_ALLOCATE, Case.Status.ACTIVE]).exclude(Exists(leads))
