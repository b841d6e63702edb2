"""Sign-in rules: invited staff accounts only, and an audit trail of sign-ins."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


class InvitedStaffOnlyAdapter(DefaultAccountAdapter):
    """No public sign-up: administrators create accounts and give them roles."""

    def is_open_for_signup(self, request):
        return False


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
    typed = credentials.get("username") or credentials.get("email") or credentials.get("login") or ""
    audit.record(None, "user.sign_in_failed", action=audit.Action.SIGN_IN_FAILED, request=request, login=str(typed)[:150])
