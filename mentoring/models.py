from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .locking import VersionedModel


class Taxonomy(VersionedModel):
    """A code list an organisation may edit (activities, sources, closure reasons...).

    Metric and import code refer to rows by their stable `code`, never by `name`.
    """

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Funder(VersionedModel):
    """A body paying for a programme: a VRU, a PCC, a probation service, a trust."""

    name = models.CharField(max_length=200, unique=True)
    contact = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProgrammeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Programme(VersionedModel):
    """A funded mentoring service with its own target and reporting (e.g. an IOM project)."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    funder = models.ForeignKey(Funder, null=True, blank=True, on_delete=models.SET_NULL, related_name="programmes")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    target_clients = models.PositiveIntegerField(null=True, blank=True, help_text="Clients the funder expects us to work with.")
    engagement_min_contacts = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Attended contacts a case needs to count as engaged.",
    )
    quiet_after_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1)],
        help_text="Days without an attended contact before a client shows as going quiet.",
    )
    review_gap_days = models.PositiveSmallIntegerField(
        "days between reviews",
        default=28,
        validators=[MinValueValidator(1)],
        help_text="A progress-wheel review recorded sooner than this after the last assessment asks for confirmation.",
    )
    active = models.BooleanField(default=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    """The four roles of DESIGN.md; each is also a Django group of the same name."""

    MENTOR = "mentor", "Mentor"
    LEAD = "lead", "Project lead"
    MANAGER = "manager", "Manager"
    ADMINISTRATOR = "administrator", "Administrator"


ROLE_GROUPS = {
    Role.MENTOR: "Mentor",
    Role.LEAD: "Project lead",
    Role.MANAGER: "Manager",
    Role.ADMINISTRATOR: "Administrator",
}


class ProgrammeMembership(models.Model):
    """Which programmes a member of staff works in, and in what role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "programme", "role"], name="unique_membership"),
        ]
        ordering = ["programme__name", "role"]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} in {self.programme}"


class AuditEventQuerySet(models.QuerySet):
    def about_client(self, client_id):
        """Events about the client's record, and list pages that named them."""
        return self.about_clients([client_id])

    def about_clients(self, client_ids):
        client_ids = [int(pk) for pk in client_ids]
        if not client_ids:
            return self.none()
        return self.filter(models.Q(client_id__in=client_ids) | self._listing_q(client_ids))

    def _listing_q(self, client_ids):
        # A list page's event holds the ids it showed in detail["client_ids"].
        if connections[self.db].vendor == "postgresql":
            query = models.Q(pk__in=[])
            for pk in client_ids:
                query |= models.Q(detail__client_ids__contains=[pk])
            return query
        # Elsewhere (SQLite for `make run`) JSON containment is not a lookup: ask json_each.
        # Only the table name and placeholders are formatted in; the ids are parameters.
        placeholders = ", ".join(["%s"] * len(client_ids))
        listed = RawSQL(  # noqa: S611
            f"EXISTS (SELECT 1 FROM json_each({AuditEvent._meta.db_table}.detail, '$.client_ids') "  # noqa: S608
            f"WHERE json_each.value IN ({placeholders}))",
            client_ids, output_field=models.BooleanField(),
        )
        return models.Q(listed)


class AuditEvent(models.Model):
    """Who did what, when: reads of a client's record, state changes, exports and sign-ins.

    Field-level change history is kept by django-auditlog; these rows record the events that
    are not a plain save. Rows are only ever added: the application has no way to edit them,
    and a database trigger (migration 0006) refuses UPDATE and DELETE from anyone.
    `detail` holds ids and codes, never names, references or typed text: a list page's read
    names its clients as `client_ids`.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CHANGE = "change", "Changed"
        STATE = "state", "Status change"
        EXPORT = "export", "Exported"
        IMPORT = "import", "Imported"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        SIGN_OUT = "sign_out", "Signed out"
        ANONYMISE = "anonymise", "Anonymised"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True, help_text="Kept if the account is later deleted.")
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    verb = models.CharField(max_length=80, help_text="What happened, e.g. 'case.closed'.")
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    # Plain integer, not a foreign key: mentoring depends on no other app, and the trail
    # must outlive the client's anonymisation.
    client_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client_id", "-at"], name="audit_client_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or 'system'} {self.verb}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")


LOGO_MAX_BYTES = 512 * 1024
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
# Every PDF decodes the logo in full: a few KB of PNG can say 16000 x 11000 pixels, which took
# 7-11 s and 2 GB a report. A cover logo needs far less than 4 megapixels (2000 x 2000).
LOGO_MAX_PIXELS = 2000 * 2000
LOGO_MAX_SIDE = 4000
LOGO_PIXELS_MESSAGE = (
    "The logo must be at most 4 megapixels (for example 2000 × 2000 pixels) and at most "
    f"{LOGO_MAX_SIDE} pixels wide or high."
)


def logo_size_allowed(width, height):
    return width * height <= LOGO_MAX_PIXELS and max(width, height) <= LOGO_MAX_SIDE


def validate_logo(upload):
    """A logo is a PNG or JPEG of at most 512 KB and 4 megapixels: checked by reading the
    image, not by its name, and its size from the header before anything is decoded.

    SVG is refused on purpose: it can carry script.
    """
    import warnings

    from django.core.exceptions import ValidationError
    from PIL import Image, UnidentifiedImageError

    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(f"The logo must be at most {LOGO_MAX_BYTES // 1024} KB.")
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with warnings.catch_warnings():
            # Pillow only warns up to twice its own limit; here a bomb is simply refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in LOGO_FORMATS:
                    raise ValidationError("The logo must be a PNG or JPEG image.")
                width, height = image.size
                if not logo_size_allowed(width, height):
                    raise ValidationError(f"{LOGO_PIXELS_MESSAGE} This one is {width} × {height}.")
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(LOGO_PIXELS_MESSAGE) from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError("The logo must be a PNG or JPEG image.") from exc
    finally:
        upload.seek(position)


class Organisation(VersionedModel):
    """The organisation running this instance: its logo on report covers (one row)."""

    logo = models.ImageField(upload_to="logo/", blank=True, validators=[validate_logo],
                             help_text="PNG or JPEG, at most 512 KB and 2000 × 2000 pixels. Shown on report covers.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "organisation logo"

    def __str__(self):
        return "Organisation logo"

    @classmethod
    def current(cls):
        return cls.objects.order_by("pk").first()

    def logo_data_uri(self):
        """The logo inlined, so WeasyPrint needs no file or URL access to draw it."""
        import base64
        import warnings

        from PIL import Image

        if not self.logo:
            return ""
        with self.logo.open("rb") as handle:
            data = handle.read()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked here
                with Image.open(self.logo.path) as image:
                    mime = LOGO_FORMATS.get(image.format, "image/png")
                    allowed = logo_size_allowed(*image.size)
        except Image.DecompressionBombError:
            allowed = False
        if not allowed:
            return ""  # uploaded before the pixel limit: left off rather than stall every PDF
        return f"data:{mime};base64,{base64.b64encode(data).decode()}"


class RoleGrantQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=RoleGrant.Status.PENDING)


class RoleGrant(models.Model):
    """One manager's request to give an account the Manager or Administrator role, or the
    superuser flag: what reads every client's record, or changes who can.

    Nothing changes until a second, different manager approves it (four eyes, as erasure);
    the person it is for cannot approve it either. Administrators give only the Mentor and
    Project lead roles, in the admin.
    """

    class Grant(models.TextChoices):
        MANAGER = "manager", "Manager role"
        ADMINISTRATOR = "administrator", "Administrator role"
        SUPERUSER = "superuser", "Superuser (every permission in the admin)"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved and given"
        CANCELLED = "cancelled", "Cancelled"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    grant = models.CharField(max_length=20, choices=Grant.choices)
    reason = models.CharField(max_length=300, help_text="Why this person needs it, e.g. 'New service manager from 1 March'.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "grant"], condition=models.Q(status="pending"), name="one_pending_grant_per_role"
            ),
        ]

    def __str__(self):
        return f"{self.get_grant_display()} for {self.user} ({self.get_status_display().lower()})"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def may_be_approved_by(self, user):
        """Four eyes: neither the manager who asked nor the person it is for may approve."""
        return self.is_pending and user is not None and user.pk not in (self.requested_by_id, self.user_id)
