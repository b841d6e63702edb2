from datetime import date, timedelta

from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from mentoring import audit
from mentoring.locking import VersionedModel
from mentoring.models import Programme, Taxonomy

from .names import FOLDED_FIELDS, NAME_FIELDS, fold, folded_names
from .postcodes import tidy_postcode


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    """The 19 ethnic groups of the 2021 Census for England and Wales (ONS)."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black: Caribbean"
    BLACK_OTHER = "black_other", "Black: any other Black background"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", "Mixed: White and Black African"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", "Mixed: White and Black Caribbean"
    MIXED_OTHER = "mixed_other", "Mixed: any other mixed background"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other: Arab"
    OTHER_ANY = "other_any", "Other: any other ethnic group"
    NOT_STATED = "not_stated", "Prefer not to say"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class ClientQuerySet(models.QuerySet):
    def search(self, text):
        """Match names, preferred name and references, and a date of birth typed as a date.

        Names are compared folded (`clients.names.fold`: no accents, apostrophes or case), each
        word of the text against `search_name`, which its trigram index serves on PostgreSQL.
        A reference matches the word as typed, whole.
        """
        text = (text or "").strip()
        if not text:
            return self
        query = Q()
        for word in text.split():
            parts = fold(word).split()  # "smith-jones" is two words, "o'neill" one
            if not parts:
                continue  # punctuation alone matches nothing and narrows nothing
            in_name = Q()
            for part in parts:
                in_name &= Q(search_name__contains=part)
            query &= (
                in_name
                | Q(client_ref__iexact=word)
                | Q(probation_ref__iexact=word)
                | Q(police_ref__iexact=word)
            )
        parsed = parse_search_date(text)
        if parsed:
            query |= Q(date_of_birth=parsed)
        return self.filter(query)

    def possible_duplicates(self, first_name, last_name, date_of_birth):
        """Clients with the same name (folded) and date of birth: the duplicate warning at intake."""
        return self.filter(
            first_name_folded=fold(first_name),
            last_name_folded=fold(last_name),
            date_of_birth=date_of_birth,
            anonymised_at__isnull=True,
        )

    def not_anonymised(self):
        return self.filter(anonymised_at__isnull=True)

    def awaiting_duplicate_check(self):
        """New records whose name and date of birth matched one their author could not see."""
        return self.filter(duplicate_check_since__isnull=False, anonymised_at__isnull=True)

    def same_person_as(self, clients):
        """Other records with the folded name and date of birth of any of `clients`: one query."""
        query = Q(pk__in=[])
        for client in clients:
            query |= Q(first_name_folded=client.first_name_folded, last_name_folded=client.last_name_folded,
                       date_of_birth=client.date_of_birth)
        return self.filter(query, anonymised_at__isnull=True).exclude(pk__in=[client.pk for client in clients])

    def with_active_risk_flags(self):
        """Prefetch the flags the risk banner shows, in one query for the whole page."""
        return self.prefetch_related(
            models.Prefetch("risk_flags", queryset=RiskFlag.objects.active(), to_attr="prefetched_active_risk_flags")
        )


def parse_search_date(text):
    from datetime import datetime

    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


class Client(VersionedModel):
    """A person the service works with. One client may have several cases over the years."""

    client_ref = models.CharField("client reference", max_length=50, unique=True, null=True, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True, help_text="What they like to be called.")
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_KNOWN)
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    area = models.CharField(max_length=100, blank=True, help_text="Borough, town or neighbourhood.")
    first_language = models.CharField(max_length=60, blank=True)
    care_experienced = models.BooleanField(null=True, blank=True)
    parent_in_prison = models.BooleanField("has or had a parent in prison", null=True, blank=True)
    veteran = models.BooleanField("armed forces veteran", null=True, blank=True)
    disability = models.BooleanField("disability or neurodivergence", null=True, blank=True)
    disability_details = models.CharField(max_length=200, blank=True)
    risk_level = models.CharField(
        "overall risk level", max_length=20, choices=RiskLevel.choices, blank=True,
        help_text="As assessed by the referring agency (e.g. probation's RoSH level).",
    )
    probation_ref = models.CharField("probation case reference", max_length=50, blank=True)
    police_ref = models.CharField("police reference (PNC ID)", max_length=50, blank=True)
    consent_data_on = models.DateField("consented to data processing on", null=True, blank=True)
    consent_data_recorded_by = models.CharField(max_length=150, blank=True)
    consent_sharing_on = models.DateField("consented to sharing with partners on", null=True, blank=True)
    consent_sharing_recorded_by = models.CharField(max_length=150, blank=True)
    notes = models.TextField(blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The names folded for search and the duplicate check (clients.names), kept by save() and
    # written by the importer's bulk writes; search_name has a trigram index on PostgreSQL.
    first_name_folded = models.TextField(blank=True, default="", editable=False)
    last_name_folded = models.TextField(blank=True, default="", editable=False)
    search_name = models.TextField(blank=True, default="", editable=False)
    duplicate_check_since = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="Set when the name and date of birth matched a record the person recording the referral "
        "may not see: a manager checks whether it is the same person.",
    )

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="client_name"),
            models.Index(fields=["date_of_birth"], name="client_dob"),
            # Search matches a reference typed in any case (`__iexact` is UPPER(x) = UPPER(y)):
            # with these, a search ORs only index scans together. The trigram index on
            # search_name is created by migration 0005 on PostgreSQL only.
            models.Index(Upper("client_ref"), name="client_ref_upper"),
            models.Index(Upper("probation_ref"), name="client_probation_ref_upper"),
            models.Index(Upper("police_ref"), name="client_police_ref_upper"),
            models.Index(fields=["duplicate_check_since"], name="client_duplicate_check",
                         condition=Q(duplicate_check_since__isnull=False)),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.postcode = tidy_postcode(self.postcode)
        for name, value in folded_names(self.first_name, self.last_name, self.preferred_name).items():
            setattr(self, name, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(NAME_FIELDS):
            kwargs["update_fields"] = {*update_fields, *FOLDED_FIELDS}
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.preferred_name} ({self.first_name}) {self.last_name}"
        return f"{self.first_name} {self.last_name}"

    @property
    def audit_client_id(self):
        return self.pk

    def age_on(self, day):
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self):
        return self.age_on(timezone.localdate())

    @property
    def is_anonymised(self):
        return self.anonymised_at is not None

    @property
    def active_risk_flags(self):
        """The flags for the risk banner: prefetched by `with_active_risk_flags()`, else one query."""
        flags = getattr(self, "prefetched_active_risk_flags", None)
        if flags is None:
            flags = self.prefetched_active_risk_flags = list(RiskFlag.objects.active().filter(client=self))
        return flags

    @property
    def name_for_header(self):
        """Preferred name first, as staff should address the person."""
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @transaction.atomic
    def close_duplicate_check(self, *, by, same_person, candidates=()):
        """A manager's finding on a flagged record: other people, or the same person.

        Records are not merged here. "Same person" is accepted once this record holds nothing
        of its own (no case, no referral waiting), that is after the manager has recorded the
        referral on the existing record and withdrawn it on this one.
        """
        if same_person and (self.cases.exists() or self.referrals.filter(decision="pending").exists()):
            raise ValidationError(
                "First record the referral on the existing record and withdraw it on this one: "
                "two records cannot be merged here."
            )
        # A conditional UPDATE: of two managers answering at once, one finding is recorded.
        done = Client.objects.filter(pk=self.pk, duplicate_check_since__isnull=False).update(
            duplicate_check_since=None, updated_at=timezone.now()
        )
        if not done:
            raise ValidationError("This record is no longer waiting for a duplicate check.")
        self.duplicate_check_since = None
        audit.record(by, "client.duplicate_check_closed", self, same_person=same_person,
                     compared_with=sorted(c.pk for c in candidates))


class RiskFlagQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def review_due(self, on=None, within_days=7):
        """Active flags whose review date is overdue or falls within the next `within_days`."""
        on = on or timezone.localdate()
        return self.active().filter(review_on__isnull=False, review_on__lte=on + timedelta(days=within_days))


class RiskFlag(VersionedModel):
    """A risk or safeguarding concern staff must see before meeting the client."""

    class Kind(models.TextChoices):
        TO_OTHERS = "to_others", "Risk to others"
        TO_SELF = "to_self", "Risk to self"
        TO_STAFF = "to_staff", "Risk to staff"
        SAFEGUARDING = "safeguarding", "Safeguarding concern"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="risk_flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    level = models.CharField(max_length=20, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    review_on = models.DateField("review due", null=True, blank=True)
    details = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    raised_on = models.DateField(default=date.today)

    objects = RiskFlagQuerySet.as_manager()

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["client", "kind"], condition=Q(active=True), name="one_active_flag_per_kind"),
        ]

    def __str__(self):
        text = f"{self.get_kind_display()}: {self.get_level_display().lower()}"
        if self.review_on and self.review_on < timezone.localdate():
            text += f", review overdue since {self.review_on:%-d %b}"
        elif self.review_on:
            text += f", review due {self.review_on:%-d %b}"
        return text

    @property
    def audit_client_id(self):
        return self.client_id


class ClosureReason(Taxonomy):
    """Why a case ended: completed, disengaged, custody, moved away..."""


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Case.Status.CLOSED)

    def active(self):
        return self.filter(status=Case.Status.ACTIVE)

    def to_allocate(self):
        return self.filter(status=Case.Status.TO_ALLOCATE)

    def in_programmes(self, programmes):
        return self.filter(programme__in=programmes)

    def open_during(self, start, end):
        """The report cohort: open at any time from `start` to `end`, both included."""
        return self.filter(started_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))


class Case(models.Model):
    """One engagement episode of a client in a programme, from opening to closure.

    Re-engagement after closure opens a new case linked to the earlier one, so each
    episode keeps its own dates and the figures stay honest.
    """

    class Status(models.TextChoices):
        TO_ALLOCATE = "to_allocate", "To allocate"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    case_ref = models.CharField("case reference", max_length=50, unique=True, null=True, blank=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="cases")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cases")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TO_ALLOCATE, db_index=True)
    paused_on = models.DateField(null=True, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True)
    closure_reason = models.ForeignKey(ClosureReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closing_summary = models.TextField(blank=True)
    previous_case = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_case",
        help_text="The earlier case this one re-opens.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["programme", "started_on", "ended_on"], name="case_cohort")]

    def __str__(self):
        return f"{self.client} — {self.programme.code} from {self.started_on:%-d %b %Y}"

    @property
    def audit_client_id(self):
        return self.client_id

    @property
    def is_open(self):
        return self.status != self.Status.CLOSED

    @property
    def status_in_words(self):
        """'Paused (in custody)', 'Closed (moved away)': the status a person reads."""
        if self.status == self.Status.PAUSED and self.pause_reason:
            return f"Paused ({self.pause_reason})"
        if self.status == self.Status.CLOSED and self.closure_reason_id:
            return f"Closed ({self.closure_reason.name})"
        return self.get_status_display()

    @property
    def status_colour(self):
        return {
            self.Status.TO_ALLOCATE: "warning",
            self.Status.ACTIVE: "success",
            self.Status.PAUSED: "secondary",
            self.Status.CLOSED: "dark",
        }[self.status]

    def current_allocations(self, on=None):
        """Allocations in force, from the prefetched `allocations` when the view loaded them."""
        on = on or timezone.localdate()
        return [
            a for a in self.allocations.all()
            if a.started_on <= on and (a.ended_on is None or a.ended_on > on)
        ]

    def _record(self, by, verb, **detail):
        audit.record(by, verb, self, client_id=self.client_id, **detail)

    def _lock(self):
        # Of two people changing the case at once, the second waits here for the first to
        # finish, and the re-read shows it what the first one did: every state change checks
        # the state it finds after this, never the one its page was built from.
        self.refresh_from_db(from_queryset=Case.objects.select_for_update())

    def _closed_in_words(self):
        text = f"on {self.ended_on:%-d %b %Y}" if self.ended_on else ""
        if self.closure_reason_id:
            text += f" ({self.closure_reason.name})"
        return text

    @transaction.atomic
    def activate(self, *, by=None):
        """A mentor is allocated: the case leaves the 'to allocate' queue."""
        self._lock()
        if self.status == self.Status.TO_ALLOCATE:
            self.status = self.Status.ACTIVE
            self.save(update_fields=["status", "updated_at"])
            self._record(by, "case.activated")

    @transaction.atomic
    def await_allocation(self, *, by=None):
        """The lead mentor's allocation ended and nobody took over: the case goes back to the
        'to allocate' queue (the lead's "Cases to allocate"). A paused case stays paused;
        resuming it finds no lead and queues it then."""
        if self.status == self.Status.ACTIVE:
            self.status = self.Status.TO_ALLOCATE
            self.save(update_fields=["status", "updated_at"])
            self._record(by, "case.back_to_allocate")

    @transaction.atomic
    def pause(self, *, reason, on=None, by=None):
        self._lock()
        if self.status == self.Status.CLOSED:
            raise ValidationError(f"This case was closed {self._closed_in_words()} and cannot be paused.", code="stale")
        if self.status == self.Status.PAUSED:
            raise ValidationError(
                f"This case was already paused on {self.paused_on:%-d %b %Y} ({self.pause_reason}).", code="stale"
            )
        self.status = self.Status.PAUSED
        self.paused_on = on or timezone.localdate()
        self.pause_reason = reason
        self.save(update_fields=["status", "paused_on", "pause_reason", "updated_at"])
        self._record(by, "case.paused", on=self.paused_on.isoformat())

    @transaction.atomic
    def resume(self, *, by=None):
        self._lock()
        if self.status == self.Status.CLOSED:
            raise ValidationError(f"This case was closed {self._closed_in_words()}.", code="stale")
        if self.status != self.Status.PAUSED:
            raise ValidationError("This case was already resumed.", code="stale")
        self.status = self.Status.ACTIVE if self.has_current_lead() else self.Status.TO_ALLOCATE
        self.paused_on = None
        self.pause_reason = ""
        self.save(update_fields=["status", "paused_on", "pause_reason", "updated_at"])
        self._record(by, "case.resumed")

    def has_current_lead(self):
        return self.allocations.current().leads().exists()

    @transaction.atomic
    def close(self, *, reason, on=None, summary="", by=None):
        """Close the case with a reason; its allocations end the same day."""
        self._lock()
        if self.status == self.Status.CLOSED:
            raise ValidationError(f"This case was already closed {self._closed_in_words()}.", code="stale")
        on = on or timezone.localdate()
        if on < self.started_on:
            raise ValidationError("A case cannot close before it started.")
        self.status = self.Status.CLOSED
        self.ended_on = on
        self.closure_reason = reason
        self.closing_summary = summary
        self.paused_on = None
        self.save(update_fields=["status", "ended_on", "closure_reason", "closing_summary", "paused_on", "updated_at"])
        # Closing a case ends its mentors' allocations (the reverse relation of
        # mentors.Allocation; clients does not import mentors).
        self.allocations.filter(ended_on__isnull=True).update(ended_on=on, end_reason="Case closed")
        self._record(by, "case.closed", reason=reason.code, on=on.isoformat())

    @transaction.atomic
    def reopen(self, *, on=None, by=None):
        """Re-engagement: a new case in the same programme, linked to this one."""
        self._lock()
        if self.status != self.Status.CLOSED:
            raise ValidationError("Only a closed case can be re-opened.", code="stale")
        later = Case.objects.filter(previous_case=self).only("started_on").first()
        if later is not None:
            raise ValidationError(
                f"This case was already re-opened: the new case started on {later.started_on:%-d %b %Y}.", code="stale"
            )
        on = on or timezone.localdate()
        if self.ended_on and on < self.ended_on:
            raise ValidationError("A re-opened case cannot start before the earlier case ended.")
        new_case = Case.objects.create(
            client_id=self.client_id, programme_id=self.programme_id, started_on=on, previous_case=self,
            status=self.Status.TO_ALLOCATE,
        )
        self._record(by, "case.reopened", new_case=new_case.pk)
        audit.record(by, "case.opened", new_case, client_id=self.client_id, reopens=self.pk)
        return new_case

    def next_case_id_or_none(self):
        return Case.objects.filter(previous_case=self).values_list("pk", flat=True).first()


# The folded names repeat first_name and last_name: their change history says it already.
auditlog.register(Client, exclude_fields=["version", *FOLDED_FIELDS])
auditlog.register(RiskFlag, exclude_fields=["version"])
auditlog.register(Case)
