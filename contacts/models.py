from datetime import timedelta

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from clients.models import Case
from mentoring.models import Programme, Taxonomy
from mentors.models import Mentor


class Activity(Taxonomy):
    """What a session was spent on: goal setting, CV building, job search, custody visit..."""

    class Meta(Taxonomy.Meta):
        verbose_name_plural = "activities"


class Mode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    MESSAGE = "message", "Message"
    GROUP = "group", "Group"


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED_BY_CLIENT = "cancelled_by_client", "Cancelled by client"
    CANCELLED_BY_SERVICE = "cancelled_by_service", "Cancelled by service"


class Location(models.TextChoices):
    OFFICE = "office", "Office"
    COMMUNITY_VENUE = "community_venue", "Community venue"
    CAFE = "cafe", "Café"
    HOME_VISIT = "home_visit", "Home visit"
    CUSTODY = "custody", "Custody"
    PROBATION_OFFICE = "probation_office", "Probation office"
    JOB_CENTRE = "job_centre", "Job Centre"
    OUTDOORS = "outdoors", "Outdoors"
    ONLINE = "online", "Online"
    OTHER = "other", "Other"


class GroupSession(models.Model):
    """One session attended by several clients (e.g. an employability workshop).

    It is recorded once; each client present gets an attended contact linked to it.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="group_sessions")
    title = models.CharField(max_length=200)
    date = models.DateField(default=timezone.localdate)
    start_time = models.TimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    location = models.CharField(max_length=30, choices=Location.choices, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.title} on {self.date:%-d %b %Y}"


class ContactQuerySet(models.QuerySet):
    def attended(self):
        """Counted sessions: attended, and not a text message (METRICS.md)."""
        return self.filter(attendance=Attendance.ATTENDED).exclude(mode=Mode.MESSAGE)

    def on_or_before(self, day):
        return self.filter(date__lte=day)


class Contact(models.Model):
    """A session or attempted session between mentor(s) and a client on a case."""

    EDIT_WINDOW = timedelta(days=7)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    mentor = models.ForeignKey(Mentor, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    other_mentors = models.ManyToManyField(Mentor, blank=True, related_name="shared_contacts")
    date = models.DateField(default=timezone.localdate)
    start_time = models.TimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.FACE_TO_FACE)
    attendance = models.CharField(max_length=30, choices=Attendance.choices, default=Attendance.ATTENDED)
    location = models.CharField(max_length=30, choices=Location.choices, blank=True)
    activities = models.ManyToManyField(Activity, blank=True, related_name="contacts")
    notes = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    follow_up_on = models.DateField("follow up on", null=True, blank=True)
    follow_up_done = models.BooleanField(default=False)
    group_session = models.ForeignKey(GroupSession, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts")
    # Fingerprint of an imported row: re-importing the same file changes nothing.
    import_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every save; a stale edit is refused.")

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-start_time", "-id"]
        indexes = [
            models.Index(fields=["case", "date"], name="contact_case_date"),
            models.Index(fields=["date"], name="contact_date"),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} on {self.date:%-d %b %Y} ({self.get_attendance_display().lower()})"

    @property
    def audit_client_id(self):
        return self.case.client_id

    @property
    def is_attended(self):
        return self.attendance == Attendance.ATTENDED and self.mode != Mode.MESSAGE


class SupportSpend(models.Model):
    """Money spent on a client's practical needs: a taxi, work boots, an ID fee."""

    class Category(models.TextChoices):
        TRAVEL = "travel", "Travel or taxi"
        WORK_CLOTHING = "work_clothing", "Work boots, clothing and PPE"
        ID_DOCUMENTS = "id_documents", "ID documents"
        COURSE_FEES = "course_fees", "Course or test fees"
        FOOD = "food", "Food and essentials"
        PHONE = "phone", "Phone or data"
        ACTIVITY = "activity", "Positive activity"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_spend")
    spent_on = models.DateField(default=timezone.localdate)
    category = models.CharField(max_length=30, choices=Category.choices)
    amount = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    funding_source = models.CharField(max_length=120, blank=True, help_text="e.g. the programme budget, a hardship fund.")
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-spent_on", "-id"]
        verbose_name_plural = "support spend"

    @property
    def audit_client_id(self):
        return self.case.client_id


class Goal(models.Model):
    """A goal on a client's action plan, in their own words."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    description = models.TextField("goal, in the client's words")
    area = models.CharField(max_length=50, blank=True, help_text="The assessment domain it belongs to.")
    target_on = models.DateField("target date", null=True, blank=True)
    steps = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    reviewed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "target_on", "id"]

    def __str__(self):
        return self.description[:60]

    @property
    def audit_client_id(self):
        return self.case.client_id


auditlog.register(Contact, m2m_fields={"activities"}, exclude_fields=["version", "updated_at"])
auditlog.register(SupportSpend)
auditlog.register(Goal)
auditlog.register(GroupSession)
