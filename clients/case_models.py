"""Case: one engagement of a client in a programme, with its states (to allocate, active,
paused, closed) and the closure reasons.

Part of the clients app (app_label "clients"): clients/models.py imports these classes, so
`clients.models.Case` is where it always was.
"""

from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from mentoring import audit
from mentoring.models import Programme, Taxonomy
from mentoring.querysets import RestrictedQuerySet


class ClosureReason(Taxonomy):
    """Why a case ended: completed, disengaged, custody, moved away..."""


class CaseQuerySet(RestrictedQuerySet):
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
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="cases")
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

    # Which change the case's status allows now. The client page shows a button where these say
    # yes and the case views refuse a change they say no to; each change below checks again on
    # the locked row, with its own words for what someone else did meanwhile.
    @property
    def can_close(self):
        return self.is_open

    @property
    def can_pause(self):
        return self.status in (self.Status.TO_ALLOCATE, self.Status.ACTIVE)

    @property
    def can_resume(self):
        return self.status == self.Status.PAUSED

    @property
    def can_reopen(self):
        """Closed and not re-opened before (one query for a closed case)."""
        return self.status == self.Status.CLOSED and self.next_case_id_or_none() is None

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

    def _record(self, by, verb, **detail):
        audit.record(by, verb, self, client_id=self.client_id, **detail)

    def lock(self):
        """Re-read the case under a row lock, inside the caller's transaction.

        Of two people changing the case at once, the second waits here for the first to
        finish, and the re-read shows it what the first one did: every state change checks
        the state it finds after this, never the one its page was built from.
        """
        self.refresh_from_db(from_queryset=Case.objects.select_for_update())

    def _closed_in_words(self):
        text = f"on {self.ended_on:%-d %b %Y}" if self.ended_on else ""
        if self.closure_reason_id:
            text += f" ({self.closure_reason.name})"
        return text

    @transaction.atomic
    def activate(self, *, by=None):
        """A mentor is allocated: the case leaves the 'to allocate' queue."""
        self.lock()
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
        self.lock()
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
    def record_resumption(self, *, has_lead, by=None):
        """The case's own part of resuming: active again if `has_lead`, else back to 'to allocate'.

        Whether a lead mentor's allocation is in force is mentors' to say: resume a case with
        `mentors.services.resume_case` (below mentors, `clients.registry.change_case("resume", ...)`),
        which locks the case, looks for the lead, then calls this.
        """
        self.lock()
        if self.status == self.Status.CLOSED:
            raise ValidationError(f"This case was closed {self._closed_in_words()}.", code="stale")
        if self.status != self.Status.PAUSED:
            raise ValidationError("This case was already resumed.", code="stale")
        self.status = self.Status.ACTIVE if has_lead else self.Status.TO_ALLOCATE
        self.paused_on = None
        self.pause_reason = ""
        self.save(update_fields=["status", "paused_on", "pause_reason", "updated_at"])
        self._record(by, "case.resumed")

    @transaction.atomic
    def record_closure(self, *, reason, on=None, summary="", by=None):
        """The case's own part of closing: status, end date, reason and summary.

        Closing a case also ends its mentors' allocations, which are mentors' to change: close
        a case with `mentors.services.close_case` (below mentors,
        `clients.registry.change_case("close", ...)`), which calls this in the same transaction.
        """
        self.lock()
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
        self._record(by, "case.closed", reason=reason.code, on=on.isoformat())

    @transaction.atomic
    def reopen(self, *, on=None, by=None):
        """Re-engagement: a new case in the same programme, linked to this one."""
        self.lock()
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


auditlog.register(Case)
