import logging
from contextvars import ContextVar

import auditlog.middleware
from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DatabaseError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

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
class RefuseUnknownHostMiddleware:
    """Refuse a request whose Host is not in ALLOWED_HOSTS (400) before any other middleware.

    Django checks the Host only when something calls `get_host()`; WhiteNoise, the session and
    the sign-in form ran before anything did.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.get_host()
        return self.get_response(request)


class AuditlogMiddleware(auditlog.middleware.AuditlogMiddleware):
    """django-auditlog's, with the client's address by our rule (mentoring.auth.client_ip):
    its own takes the first X-Forwarded-For entry, which any client can write."""

    @staticmethod
    def _get_remote_addr(request):
        from .auth import client_ip

        return client_ip(request)


class NoStoreMiddleware:
    """Nothing personal stays in a shared browser's cache or a proxy's: every response to a
    signed-in user, and every download, says `no-store`. Static files never reach this
    middleware (WhiteNoise, ahead of it, answers them), so they stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        download = response.get("Content-Disposition", "").startswith("attachment")
        if download or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"  # for HTTP/1.0 proxies
        return response


_current_request = ContextVar("waymark_current_request", default=None)


def current_request():
    """The request being answered on this thread, or None (a management command, a test)."""
    return _current_request.get()


class CurrentRequestMiddleware:
    """Keeps the request at hand for audit records made where none is passed: changes to
    accounts, recorded from model signals (mentoring.auth)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
