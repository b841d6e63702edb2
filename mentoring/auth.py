"""Sign-in rules: invited staff accounts only, and an audit trail of sign-ins."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


class InvitedStaffOnlyAdapter(DefaultAccountAdapter):
    """No public sign-up: administrators create accounts and give them roles."""

    def is_open_for_signup(self, request):
        return False


class SingleLaneArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's recommended setting: 46 MiB of memory, one pass, one lane.

    Django's default spreads each hash over 8 threads, so on a small server one sign-in
    takes every core for a moment and every other request waits behind it. One lane costs
    an attacker the same memory per guess and leaves the other cores to the other users.
    Hashes made with other settings are upgraded at the next sign-in.
    """

    algorithm = "argon2"
    time_cost = 1
    memory_cost = 47104
    parallelism = 1


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
