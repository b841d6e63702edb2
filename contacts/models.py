from datetime import timedelta
from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from clients.models import Case
from mentoring.locking import VersionedModel
from mentoring.models import Programme, Taxonomy
from mentoring.querysets import RestrictedQuerySet
from mentors.models import Mentor

from .goal_areas import GOAL_AREAS


class Activity(Taxonomy):
    """What a session was spent on: goal setting, CV building, job search, custody visit..."""

    class Meta(Taxonomy.Meta):
        verbose_name_plural = "activities"


class FundingSource(Taxonomy):
    """A budget support spend is paid from: the programme budget, a hardship fund, a grant..."""


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
    # The recording form's one-time token: the same form sent twice records one session.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.title} on {self.date:%-d %b %Y}"


# A goal's area is one of the progress wheel's default domains (contacts/goal_areas.py, which
# outcomes seeds its wheel from), stored as text: contacts sits below outcomes.
GOAL_AREA_NAMES = dict(GOAL_AREAS)


class ContactQuerySet(RestrictedQuerySet):
    def attended(self):
        """Counted sessions: attended, and not a text message (METRICS.md)."""
        return self.filter(attendance=Attendance.ATTENDED).exclude(mode=Mode.MESSAGE)

    def on_or_before(self, day):
        return self.filter(date__lte=day)

    def for_cases(self, cases):
        return self.filter(case__in=cases)

    def follow_ups_open(self):
        """Next steps with a follow-up date nobody has yet followed up."""
        return self.filter(follow_up_on__isnull=False, follow_up_done=False)

    def possibly_the_same_as(self, *, case, day, start_time, mentor):
        """Contacts a new one on `case` on `day` may repeat: one at the same time; or, when
        either has no time, one with the same mentor that day."""
        same_mentor = Q(mentor=mentor) if mentor is not None else Q(mentor__isnull=True)
        if start_time is None:
            repeat = same_mentor
        else:
            repeat = Q(start_time=start_time) | (Q(start_time__isnull=True) & same_mentor)
        return self.filter(case=case, date=day).filter(repeat)

    def follow_ups_due(self, on=None):
        """Follow-ups due today or overdue."""
        return self.follow_ups_open().filter(follow_up_on__lte=on or timezone.localdate())

    def for_lists(self):
        """What a list of contacts shows: the case's client, the mentor and the activities."""
        return self.select_related("case__client", "case__programme", "mentor", "group_session").prefetch_related(
            models.Prefetch("activities", queryset=Activity.objects.order_by("order", "name"))
        )


def with_contact_summary(cases):
    """Annotate cases with their last contact, last attended contact and next follow-up.

    Subqueries, one per figure, so a caseload of any size is one query.
    """
    contacts = Contact.objects.filter(case=OuterRef("pk"))
    # "The latest one" rather than MAX(...) GROUP BY: one probe of an index per case.
    last_contact = contacts.order_by("-date").values("date")[:1]
    next_follow_up = contacts.follow_ups_open().order_by("follow_up_on").values("follow_up_on")[:1]
    return with_last_attended(cases).annotate(
        last_contact_on=Subquery(last_contact, output_field=models.DateField()),
        next_follow_up_on=Subquery(next_follow_up, output_field=models.DateField()),
    )


def with_last_attended(cases):
    """Annotate cases with `last_attended_on`, the date of their last attended contact."""
    last_attended = Contact.objects.filter(case=OuterRef("pk")).attended().order_by("-date").values("date")[:1]
    return cases.annotate(last_attended_on=Subquery(last_attended, output_field=models.DateField()))


def quiet_since(case):
    """The date a case went quiet from: its last attended contact, else its start."""
    return getattr(case, "last_attended_on", None) or case.started_on


def is_quiet(case, on=None):
    """No attended contact for the programme's `quiet_after_days` (needs `with_contact_summary`)."""
    on = on or timezone.localdate()
    return (on - quiet_since(case)).days >= case.programme.quiet_after_days


def quiet_cases(cases, programmes, on=None):
    """Active cases with no attended contact for their programme's quiet period, in SQL.

    One condition per programme (there are few), so it runs on any database backend.
    """
    on = on or timezone.localdate()
    condition = Q(pk__in=[])
    for programme in programmes:
        cutoff = on - timedelta(days=programme.quiet_after_days)
        condition |= Q(programme=programme) & (
            Q(last_attended_on__lte=cutoff) | Q(last_attended_on__isnull=True, started_on__lte=cutoff)
        )
    return with_last_attended(cases.filter(status=Case.Status.ACTIVE)).filter(condition)


class Contact(VersionedModel):
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
    # The organisation's own identifier of an imported contact: a corrected row updates it.
    contact_ref = models.CharField("contact reference", max_length=50, unique=True, null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The logging form's one-time token: a form sent twice (a double tap, a retry after an
    # error page) finds the contact the first one made instead of making a second.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    access_path = "case"  # whose row this is, for mentoring.access.restrict
    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-start_time", "-id"]
        indexes = [
            models.Index(fields=["case", "date"], name="contact_case_date"),
            models.Index(fields=["date"], name="contact_date"),
            # The report's attended contacts per case (counts, first/last date, hours): index-only.
            models.Index(fields=["case", "date", "duration_minutes"], name="contact_attended_case_date",
                         condition=Q(attendance=Attendance.ATTENDED) & ~Q(mode=Mode.MESSAGE)),
            # Due lists: the few follow-ups still open, out of a million contacts.
            models.Index(fields=["case", "follow_up_on"], name="contact_follow_up_open",
                         condition=Q(follow_up_on__isnull=False, follow_up_done=False)),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} on {self.date:%-d %b %Y} ({self.get_attendance_display().lower()})"

    @property
    def audit_client_id(self):
        return self.case.client_id

    @property
    def is_attended(self):
        return self.attendance == Attendance.ATTENDED and self.mode != Mode.MESSAGE

    @property
    def took_place(self):
        return self.attendance == Attendance.ATTENDED

    def clean(self):
        # A session that did not happen (did not attend, cancelled) lasted no time, whatever
        # the duration box still held: hours are only ever those spent with the client.
        if not self.took_place:
            self.duration_minutes = None

    @property
    def attendance_colour(self):
        return {
            Attendance.ATTENDED: "success",
            Attendance.DID_NOT_ATTEND: "warning",
        }.get(self.attendance, "secondary")

    def editable_until(self):
        return timezone.localtime(self.created_at).date() + self.EDIT_WINDOW

    def is_own(self, user):
        return self.created_by_id == user.pk or (self.mentor_id is not None and self.mentor.user_id == user.pk)

    def can_be_edited_by(self, user, on=None):
        """A mentor edits their own contact for 7 days; leads and managers of the programme always.

        Whether the user may change the case at all is the caller's access check
        (`access.changeable_cases`); this adds the contact's own rule.
        """
        from mentoring import access

        if access.is_manager(user) or self.case.programme_id in access.led_programme_ids(user):
            return True
        on = on or timezone.localdate()
        return access.is_mentor(user) and self.is_own(user) and on <= self.editable_until()


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
    amount = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    funding_source = models.ForeignKey(FundingSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       help_text="The budget it was paid from.")
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    access_path = "case"  # whose row this is, for mentoring.access.restrict
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-spent_on", "-id"]
        verbose_name_plural = "support spend"

    @property
    def audit_client_id(self):
        return self.case.client_id


class GoalQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(status=Goal.Status.OPEN)

    def past_target(self, on=None):
        """Open goals whose target date has passed."""
        return self.open().filter(target_on__lt=on or timezone.localdate())


class Goal(VersionedModel):
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

    access_path = "case"  # whose row this is, for mentoring.access.restrict
    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["status", "target_on", "id"]

    def __str__(self):
        return self.description[:60]

    @property
    def area_name(self):
        return GOAL_AREA_NAMES.get(self.area, self.area)

    def is_past_target(self, on=None):
        return self.status == self.Status.OPEN and self.target_on is not None and self.target_on < (on or timezone.localdate())

    @property
    def status_colour(self):
        return {self.Status.OPEN: "primary", self.Status.ACHIEVED: "success", self.Status.DROPPED: "secondary"}[self.status]

    @property
    def audit_client_id(self):
        return self.case.client_id


auditlog.register(Contact, m2m_fields={"activities"}, exclude_fields=["version", "updated_at"])
auditlog.register(SupportSpend)
auditlog.register(Goal, exclude_fields=["version"])
auditlog.register(GroupSession)


# Appointments and calendar feeds live in their own modules; imported here so Django finds the models.
from .appointment_models import Appointment  # noqa: E402, F401
from .calendar_feed import CalendarFeed  # noqa: E402, F401
