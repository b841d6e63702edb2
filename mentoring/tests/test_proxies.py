"""The client's address behind the reverse proxy (issue 23, point 2).

Exactly TRUSTED_PROXY_COUNT proxies are trusted, for the per-address sign-in limit, the audit
trail and the change history alike: behind one proxy each client has its own limit and the
trail records its address; with no proxy configured a forged X-Forwarded-For changes nothing.
"""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from mentoring.models import AuditEvent
from mentoring.tests.factories import PASSWORD

LOGIN = "/accounts/login/"
PER_ADDRESS = 20  # ACCOUNT_RATE_LIMITS["login_failed"]: 20 per address per 15 minutes
LOCKED = "Too many failed login attempts"


def sign_in(client, login, password, forwarded):
    return client.post(LOGIN, {"login": login, "password": password}, HTTP_X_FORWARDED_FOR=forwarded)


def fail_from(client, forwarded, times=PER_ADDRESS):
    # Each try names a different unknown login, so only the per-address limit is reached.
    for n in range(times):
        sign_in(client, f"nobody{n}", "guessing wrong", forwarded)


@pytest.mark.django_db
def test_behind_one_proxy_each_client_has_its_own_sign_in_limit(client, settings, mentor_user):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    fail_from(client, "198.51.100.1")
    assert LOCKED in sign_in(client, "nobody-more", "guessing wrong", "198.51.100.1").content.decode()

    # Everyone reaches Waymark from the proxy's address (REMOTE_ADDR), yet another client is not locked out.
    response = sign_in(client, "alice", PASSWORD, "198.51.100.2")
    assert response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_behind_one_proxy_the_audit_trail_records_the_address_the_proxy_saw(client, settings, mentor_user):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # The client wrote the first entry itself; the proxy appended the address it saw.
    sign_in(client, "alice", "guessing wrong", "10.9.9.9, 203.0.113.7")
    sign_in(client, "alice", PASSWORD, "203.0.113.8")
    assert AuditEvent.objects.get(verb="user.sign_in_failed").ip_address == "203.0.113.7"
    assert AuditEvent.objects.get(verb="user.signed_in").ip_address == "203.0.113.8"


@pytest.mark.django_db
def test_with_no_proxy_configured_a_forged_forwarded_address_is_ignored(client, settings, mentor_user):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(PER_ADDRESS):
        sign_in(client, f"nobody{n}", "guessing wrong", f"198.51.100.{n + 1}")
    # Every try counted against the real address, whatever the header said.
    response = sign_in(client, "alice", PASSWORD, "198.51.100.200")
    assert LOCKED in response.content.decode() and "_auth_user_id" not in client.session
    addresses = set(AuditEvent.objects.filter(action="sign_in_failed").values_list("ip_address", flat=True))
    assert addresses == {"127.0.0.1"}


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "forwarded", "recorded"), [(0, "10.6.6.6", "127.0.0.1"), (1, "10.6.6.6, 203.0.113.5", "203.0.113.5")])
def test_the_change_history_records_the_client_address_by_the_same_rule(client, settings, lead, programme, count, forwarded, recorded):
    from mentors.tests.factories import MentorFactory

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    mentor = MentorFactory(programmes=[programme])
    client.force_login(lead)
    response = client.post(
        reverse("mentors:training_create", args=[mentor.pk]),
        {"course": "Safeguarding adults", "completed_on": "2026-01-05"}, HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get(content_type__model="training")
    assert entry.remote_addr == recorded


@pytest.mark.parametrize(("environment", "trusted"), [({}, 0), ({"TRUSTED_PROXY_COUNT": "1"}, 1)])
def test_the_number_of_trusted_proxies_is_a_setting_from_the_environment(environment, trusted):
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k != "TRUSTED_PROXY_COUNT"}
    env.update(environment)
    code = "from allauth import app_settings; print(app_settings.TRUSTED_PROXY_COUNT)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(trusted)
