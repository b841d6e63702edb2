"""The data-in-and-out app's own records."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ErasureRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ErasureRequest.Status.PENDING)

    def for_client(self, client_id):
        return self.filter(client_id=client_id)


class ErasureRequest(models.Model):
    """A manager's request to erase a client's record at the person's request.

    Erasure cannot be undone, so a second, different manager must approve it before the
    anonymisation runs (dataio.privacy.approve_erasure). The reason is kept for the audit
    trail and must not name the person.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        COMPLETED = "completed", "Approved and carried out"
        CANCELLED = "cancelled", "Cancelled"

    # Plain integer, like AuditEvent.client_id: a request for the audit, not a part of the record.
    client_id = models.BigIntegerField(db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(help_text="Why the record is to be erased. Do not name the person.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        # Made in mentoring (mentoring 0003); moved here with its table and rows (dataio 0001).
        db_table = "mentoring_erasurerequest"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client_id"], condition=models.Q(status="pending"), name="one_pending_erasure_per_client"
            ),
        ]

    def __str__(self):
        return f"Erasure of client {self.client_id} ({self.get_status_display().lower()})"

    @property
    def audit_client_id(self):
        return self.client_id

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def outcome_in_words(self):
        """'approved by Erin Manager on 23 Nov 2026', 'cancelled by ...': what became of it."""
        if self.status == self.Status.COMPLETED:
            verb, user, at = "approved", self.approved_by, self.approved_at
        elif self.status == self.Status.CANCELLED:
            verb, user, at = "cancelled", self.cancelled_by, self.cancelled_at
        else:
            return self.get_status_display().lower()
        if user is not None:
            verb += f" by {user.get_full_name() or user.get_username()}"
        if at is not None:
            verb += f" on {timezone.localtime(at):%-d %b %Y}"
        return verb

    def may_be_approved_by(self, user):
        """Four eyes: only a manager other than the one who asked may approve."""
        return self.is_pending and user is not None and user.pk != self.requested_by_id
