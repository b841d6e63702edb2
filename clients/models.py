from datetime import date, timedelta

from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from mentoring import audit
from mentoring.locking import VersionedModel
from mentoring.querysets import RestrictedQuerySet

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


class ClientQuerySet(RestrictedQuerySet):
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


class RiskFlagQuerySet(RestrictedQuerySet):
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

    access_path = "client"  # whose row this is, for mentoring.access.restrict
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


# Case lives in its own module; imported here, after RiskFlag as it always was, so
# `clients.models.Case` still finds it and Django registers the models in the same order.
from .case_models import Case, CaseQuerySet, ClosureReason  # noqa: E402, F401

# The folded names repeat first_name and last_name: their change history says it already.
auditlog.register(Client, exclude_fields=["version", *FOLDED_FIELDS])
auditlog.register(RiskFlag, exclude_fields=["version"])
