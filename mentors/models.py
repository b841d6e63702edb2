from datetime import timedelta

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from clients.models import Case, Gender
from mentoring.models import Programme, Taxonomy


class Strength(Taxonomy):
    """Something a mentor is good at or interested in: employment, housing, music..."""


class MentorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def in_programme(self, programme):
        return self.filter(programmes=programme)

    def vetted(self, on=None):
        """DBS checked, not yet due for renewal, references received."""
        on = on or timezone.localdate()
        return self.filter(
            dbs_certificate_on__isnull=False, references_received=True
        ).filter(Q(dbs_renewal_due__isnull=True) | Q(dbs_renewal_due__gte=on))

    def with_caseload(self):
        return self.annotate(
            caseload=Count(
                "allocations",
                filter=Q(allocations__ended_on__isnull=True) & ~Q(allocations__case__status=Case.Status.CLOSED),
                distinct=True,
            )
        )


class Mentor(models.Model):
    """A paid, volunteer or peer mentor: the person beside the client."""

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
    max_caseload = models.PositiveSmallIntegerField(default=6)
    active = models.BooleanField(default=True)
    on_leave_until = models.DateField(null=True, blank=True)
    dbs_level = models.CharField("DBS level", max_length=20, choices=DbsLevel.choices, blank=True)
    dbs_certificate_on = models.DateField("DBS certificate date", null=True, blank=True)
    dbs_renewal_due = models.DateField("DBS renewal due", null=True, blank=True)
    references_received = models.BooleanField(default=False)
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
            and (self.dbs_renewal_due is None or self.dbs_renewal_due >= on)
        )

    def dbs_due_soon(self, on=None, days=30):
        on = on or timezone.localdate()
        return bool(self.dbs_renewal_due and on <= self.dbs_renewal_due <= on + timedelta(days=days))


class Training(models.Model):
    """A course or qualification a mentor completed, e.g. an OCN Level 2 in Peer Mentoring."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=50, blank=True)
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="For refreshers such as safeguarding.")

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self):
        return self.course

    def is_expired(self, on=None):
        return bool(self.expires_on and self.expires_on < (on or timezone.localdate()))


class Supervision(models.Model):
    """A supervision session with a mentor (reflective practice, case discussion)."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="supervisions")
    held_on = models.DateField()
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(blank=True)

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

    class Meta:
        ordering = ["-on"]


class AllocationQuerySet(models.QuerySet):
    def current(self, on=None):
        """Allocations in force today: started, and not ended before today."""
        on = on or timezone.localdate()
        return self.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))

    def leads(self):
        return self.filter(role=Allocation.Role.LEAD)


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

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["mentor", "ended_on"], name="allocation_mentor_current")]

    def __str__(self):
        return f"{self.mentor} — {self.get_role_display().lower()} on case {self.case_id}"

    @property
    def audit_client_id(self):
        return self.case.client_id


auditlog.register(Mentor)
auditlog.register(Allocation)
auditlog.register(Training)
