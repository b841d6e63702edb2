import logging

from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DatabaseError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from . import access
from .demo import DEMO_USERNAMES

logger = logging.getLogger(__name__)

# Pages a user without two-factor may still reach: setting it up, signing out, assets.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")


def needs_two_factor_setup(user):
    """Managers and administrators must have TOTP before they do anything else."""
    if not user.is_authenticated or not access.has_role(user, *[_role(g) for g in settings.MFA_REQUIRED_GROUPS]):
        return False
    if settings.MFA_DEMO_EXEMPTION and settings.DEBUG and user.get_username() in DEMO_USERNAMES:
        return False
    from allauth.mfa.models import Authenticator

    cached = getattr(user, "_waymark_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._waymark_has_totp = cached
    return not cached


def _role(group_name):
    return access.GROUP_ROLES[group_name]


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_ALLOWED_PREFIXES) and needs_two_factor_setup(request.user):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
        return self.get_response(request)


class SessionSaveTolerantMiddleware(SessionMiddleware):
    """Django's SessionMiddleware, except that a session that cannot be saved does not turn a
    finished request into "Bad Request (400)".

    Every request saves the session (SESSION_SAVE_EVERY_REQUEST: the idle timer). That save
    comes after the view, so when the database drops out between the two (a restart), a
    contact already stored was answered with a 400, and the mentor, told nothing was saved,
    logged it again. Now the view's response goes out as it is. What is lost is this
    request's session change: the idle timer is not pushed on (the session ends 30 minutes
    after the last request that saved it, not this one) and anything the view put in the
    session. The confirmation message is not lost: messages travel in a cookie
    (MESSAGE_STORAGE), not the session.
    """

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (SessionInterrupted, DatabaseError):
            # The path only: a query string may hold a client's name (a search).
            logger.warning("Session not saved after %s %s; the response was sent without it.",
                           request.method, request.path, exc_info=True)
            patch_vary_headers(response, ("Cookie",))
            return response
