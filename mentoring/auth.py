"""Sign-in rules: invited staff accounts only, one lock per account, and an audit trail of sign-ins."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.signals import authentication_failed as two_factor_failed
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.dispatch import receiver

from . import audit


def account_for_login(login):
    """The one account a typed login names: a username or an e-mail address, in any case,
    with spaces around it ignored. None when no account matches."""
    login = (login or "").strip()
    if not login:
        return None
    users = get_user_model()._default_manager
    user = users.filter(username=login).first() or users.filter(username__iexact=login).order_by("pk").first()
    if user is None and "@" in login:
        user = (
            users.filter(Q(email__iexact=login) | Q(emailaddress__email__iexact=login))
            .order_by("-is_active", "pk").first()
        )
    return user


def typed_login(credentials):
    return str(credentials.get("username") or credentials.get("email") or credentials.get("login") or "")


def login_lock_key(login):
    """What the per-account sign-in limit counts against: the account itself, however the login
    was typed and whatever Host the request named. A login that names no account is counted under
    its own normalised text, so an unknown login is refused the same way as a known one."""
    user = account_for_login(login)
    if user is not None:
        return f"account:{user.pk}"
    return "unknown:" + " ".join(login.split()).casefold()


class OneAccountBackend(AuthenticationBackend):
    """Password sign-in against the one account the login names (`account_for_login`).

    Exactly one password hash is computed per attempt, against a throwaway password when no
    account matches, so the time a refusal takes does not tell whether the login exists.
    (Django's ModelBackend followed by allauth's backend hashed up to three times for a known
    e-mail address and twice for an unknown one.) An inactive account is refused like a wrong
    password, so a refusal does not confirm that the password was right either.
    """

    def authenticate(self, request, username=None, password=None, email=None, **credentials):
        if not password:
            return None
        user = account_for_login(username or email)
        if user is None:
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class InvitedStaffOnlyAdapter(DefaultAccountAdapter):
    """No public sign-up: administrators create accounts and give them roles."""

    def is_open_for_signup(self, request):
        return False

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys the lock on the request's site (its Host) and the login as typed, so each
        # Host variant or the e-mail form of a username got fresh tries.
        return login_lock_key(typed_login(credentials))

    def pre_authenticate(self, request, **credentials):
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            typed = typed_login(credentials)
            audit.record(
                None, "user.sign_in_refused_locked", account_for_login(typed), action=audit.Action.SIGN_IN_FAILED,
                request=request, login=typed[:150],
            )
            raise

    def get_reset_password_from_key_url(self, key):
        # The link in the e-mail must lead to this service whatever Host the request named.
        path = urlsplit(super().get_reset_password_from_key_url(key)).path
        return site_url(path)

    def format_email_subject(self, subject):
        return f"[Waymark] {subject}"

    def send_mail(self, template_prefix, email, context):
        # allauth names the site in every e-mail after the request's Host.
        context = {"current_site": ConfiguredSite(), **context}
        super().send_mail(template_prefix, email, context)


def client_ip(request):
    """The client's address: the one rule for the sign-in limits, the audit trail and the change
    history. allauth's, which trusts X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def end_sessions(user):
    """Sign the user out everywhere: delete their live sessions. Returns how many.

    Database sessions have no user column, so the unexpired ones are decoded and matched. That
    is a few hundred rows at most (idle sessions expire after SESSION_IDLE_SECONDS), and it is
    done only when someone leaves, so it is cheaper than keeping an index written at every
    sign-in. (A signed-out user is refused anyway: an inactive account's session no longer
    authenticates.)
    """
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    theirs = [
        session.pk for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=theirs).delete()
    return len(theirs)


def site_url(path=""):
    return settings.SITE_URL.rstrip("/") + path


class ConfiguredSite:
    """The site as SITE_URL names it, for e-mail templates that print `current_site`."""

    name = "Waymark"

    @property
    def domain(self):
        return urlsplit(settings.SITE_URL).netloc


class NoPersonalDetailsInPasswordValidator:
    """Refuse a password that contains the account's username, the part of its e-mail address
    before the @, or its first or last name, ignoring case, spaces and punctuation.

    Django's UserAttributeSimilarityValidator compares the whole password with each detail, so
    "mentor3mentor3" passed for the account mentor3. Details shorter than three letters are
    too common inside ordinary words to refuse.
    """

    shortest = 3

    def validate(self, password, user=None):
        if user is None:
            return
        typed = _letters_and_digits(password)
        for label, detail in self._details(user):
            if len(detail) >= self.shortest and detail in typed:
                raise ValidationError(
                    f"The password must not contain your {label}.", code="password_contains_personal_details",
                )

    def get_help_text(self):
        return "Your password must not contain your username, e-mail address or name."

    @staticmethod
    def _details(user):
        email = getattr(user, "email", "") or ""
        for label, value in (
            ("username", user.get_username()), ("e-mail address", email.split("@")[0]),
            ("first name", getattr(user, "first_name", "")), ("last name", getattr(user, "last_name", "")),
        ):
            yield label, _letters_and_digits(value or "")


def _letters_and_digits(text):
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


class SingleLaneArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with settings from the environment; by default OWASP's minimum recommended
    configuration: 46 MiB of memory, one pass, one lane.

    Django's default is stronger per guess (100 MiB, two passes) but spreads each hash over
    8 threads: on a small server one sign-in takes every core for a moment and every other
    request waits behind it. A larger server can raise ARGON2_MEMORY_KIB and ARGON2_TIME_COST.
    Whenever the settings change, a password is re-hashed with the new ones at its next sign-in
    (so lowering them lowers the stored hashes too).
    """

    algorithm = "argon2"

    @property
    def time_cost(self):
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self):
        return settings.ARGON2_MEMORY_KIB

    @property
    def parallelism(self):
        return settings.ARGON2_PARALLELISM


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs):
    audit.record(user, "user.signed_in", action=audit.Action.SIGN_IN, request=request)


@receiver(user_logged_out)
def record_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(user, "user.signed_out", action=audit.Action.SIGN_OUT, request=request)


@receiver(user_login_failed)
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    # Only the name typed is kept, never the password.
    audit.record(
        None, "user.sign_in_failed", action=audit.Action.SIGN_IN_FAILED, request=request,
        login=typed_login(credentials)[:150],
    )


@receiver(two_factor_failed)
def record_failed_two_factor_code(sender, request, user, reauthentication=False, **kwargs):
    audit.record(
        user, "user.two_factor_failed", user, action=audit.Action.SIGN_IN_FAILED, request=request,
        reauthentication=bool(reauthentication),
    )


# ---- Changes to accounts, from anywhere ----------------------------------------------------
# Groups, superuser, staff and active flags and passwords change through the admin, the role
# pages, allauth's password forms and management commands alike, so this is one of the few
# places a signal is the right tool: whichever way the change comes, it is an audit event.

TRACKED_FLAGS = {
    "is_active": ("user.activated", "user.deactivated"),
    "is_superuser": ("user.superuser_granted", "user.superuser_removed"),
    "is_staff": ("user.staff_granted", "user.staff_removed"),
}
TRACKED = (*TRACKED_FLAGS, "password")


def _actor():
    from .middleware import current_request

    request = current_request()
    user = getattr(request, "user", None)
    return request, (user if user is not None and user.is_authenticated else None)


def _record_account(account, verb, **detail):
    request, actor = _actor()
    audit.record(actor, verb, account, action=audit.Action.CHANGE, request=request, **detail)


def remember_account_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    # A sign-in saves last_login only: nothing to compare, no query.
    if update_fields is not None and not set(update_fields) & set(TRACKED):
        return
    instance._waymark_before = sender._default_manager.filter(pk=instance.pk).values(*TRACKED).first()


def record_account_change(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if created:
        _record_account(instance, "user.created", **{flag: getattr(instance, flag) for flag in TRACKED_FLAGS})
        return
    before = instance.__dict__.pop("_waymark_before", None)
    if not before:
        return
    for flag, (given, taken) in TRACKED_FLAGS.items():
        if before[flag] != getattr(instance, flag):
            _record_account(instance, given if getattr(instance, flag) else taken)
    # Re-hashing the same password at sign-in (new Argon2 cost) is no change: Django's
    # check_password saves only the password then, and without a new raw password.
    rehash = update_fields is not None and set(update_fields) == {"password"} and instance._password is None
    if before["password"] != instance.password and not rehash:
        _record_account(instance, "user.password_changed")


def record_account_deleted(sender, instance, **kwargs):
    _record_account(instance, "user.deleted", username=instance.get_username())


def record_group_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Roles are groups: every group added to or taken from an account, from either side."""
    from django.contrib.auth.models import Group

    User = get_user_model()
    if action.startswith("pre_"):
        # What is actually there before a remove or clear (a remove may name groups not held).
        if reverse:  # a group losing users
            users = instance.user_set.all() if action == "pre_clear" else instance.user_set.filter(pk__in=pk_set)
            instance._waymark_leaving = list(users)
        else:
            groups = instance.groups.all() if action == "pre_clear" else instance.groups.filter(pk__in=pk_set)
            instance._waymark_leaving = list(groups.values_list("name", flat=True))
        return
    if action == "post_add" and pk_set:
        if reverse:
            for user in User._default_manager.filter(pk__in=pk_set):
                _record_account(user, "user.groups_changed", added=[instance.name], removed=[])
        else:
            names = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
            _record_account(instance, "user.groups_changed", added=names, removed=[])
    elif action in ("post_remove", "post_clear"):
        leaving = instance.__dict__.pop("_waymark_leaving", [])
        if reverse:
            for user in leaving:
                _record_account(user, "user.groups_changed", added=[], removed=[instance.name])
        elif leaving:
            _record_account(instance, "user.groups_changed", added=[], removed=sorted(leaving))


def connect_account_audit():
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    User = get_user_model()
    pre_save.connect(remember_account_before_save, sender=User, dispatch_uid="waymark_account_before")
    post_save.connect(record_account_change, sender=User, dispatch_uid="waymark_account_change")
    post_delete.connect(record_account_deleted, sender=User, dispatch_uid="waymark_account_deleted")
    m2m_changed.connect(record_group_change, sender=User.groups.through, dispatch_uid="waymark_account_groups")
