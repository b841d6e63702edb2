"""Sign-in limits that cannot be sidestepped (issue 23, points 1, 2, 6 and 10).

The lock counts against the account itself, whatever was typed and whatever Host the request
named; the per-address limit sees the client behind the configured proxies; a refusal costs
the same whether or not the login exists.
"""

import pytest
from django.conf import settings as live_settings

from mentoring.models import AuditEvent
from mentoring.tests.factories import PASSWORD, UserFactory, with_totp
from mentoring.tests.hashers import CountingMD5PasswordHasher

LOGIN = "/accounts/login/"
LOCKED = "Too many failed login attempts"
HOST = "waymark.example.org"


def sign_in(client, login, password, **headers):
    return client.post(LOGIN, {"login": login, "password": password}, **headers)


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [HOST]


@pytest.mark.django_db
def test_an_account_stays_locked_whether_the_login_is_typed_as_username_or_email_and_whatever_the_host(
    client, mentor_user, production
):
    for _ in range(live_settings.LOGIN_FAILURE_LIMIT):
        response = sign_in(client, "alice", "guessing wrong", HTTP_HOST=HOST)
        assert LOCKED not in response.content.decode()

    attempts = [
        ("alice", HOST),
        (mentor_user.email, HOST),
        (mentor_user.email.upper(), HOST),
        ("  ALICE ", HOST),
        ("alice", f"{HOST}."),  # a trailing dot
        ("alice", f"{HOST}:1"),  # a port
        (mentor_user.email, f"{HOST}.:8443"),
    ]
    for login, host in attempts:
        response = sign_in(client, login, "another guess", HTTP_HOST=host)
        assert response.status_code == 200, (login, host)
        assert LOCKED in response.content.decode(), (login, host)

    for login, host in attempts:
        response = sign_in(client, login, PASSWORD, HTTP_HOST=host)
        assert LOCKED in response.content.decode(), (login, host)
        assert not signed_in(client)


@pytest.mark.django_db
def test_a_host_outside_allowed_hosts_is_refused_before_sign_in_counts_or_records_anything(
    client, mentor_user, production, settings
):
    settings.WHITENOISE_USE_FINDERS = True
    assert client.get("/static/css/waymark.css", HTTP_HOST=HOST).status_code == 200
    events_before = AuditEvent.objects.count()
    for host in ("evil.example", "127.0.0.1:1", f"{HOST}.evil.example"):
        response = sign_in(client, "alice", "guessing wrong", HTTP_HOST=host)
        assert response.status_code == 400, host
        # Refused first of all: even WhiteNoise, ahead of the rest, never answers it.
        assert client.get("/static/css/waymark.css", HTTP_HOST=host).status_code == 400, host
    assert AuditEvent.objects.count() == events_before
    # Nothing was counted against the account: the right password still signs in.
    response = sign_in(client, "alice", PASSWORD, HTTP_HOST=HOST)
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_an_unknown_login_is_refused_with_the_same_message_and_locks_the_same_way(client, mentor_user):
    known = sign_in(client, "alice", "guessing wrong").content.decode()
    unknown = sign_in(client, "nobody", "guessing wrong").content.decode()
    assert "not correct" in known and "not correct" in unknown
    for _ in range(live_settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "nobody@staff.waymark.test", "guessing wrong")
    assert LOCKED in sign_in(client, "nobody@staff.waymark.test", "guessing wrong").content.decode()
    # Another account is not affected.
    assert sign_in(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_sign_in_refused_during_a_lock_is_in_the_audit_trail(client, mentor_user):
    for _ in range(live_settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "alice", "guessing wrong")
    assert not AuditEvent.objects.filter(verb="user.sign_in_refused_locked").exists()

    sign_in(client, mentor_user.email, PASSWORD)

    event = AuditEvent.objects.get(verb="user.sign_in_refused_locked")
    assert event.action == AuditEvent.Action.SIGN_IN_FAILED
    assert (event.object_type, event.object_id) == ("auth.user", str(mentor_user.pk))
    assert event.detail == {"login": mentor_user.email}


@pytest.mark.django_db
def test_a_wrong_two_factor_code_is_in_the_audit_trail(client):
    from django.urls import reverse

    user = UserFactory(username="mfauser", role="manager")
    with_totp(user)
    sign_in(client, "mfauser", PASSWORD)
    response = client.post(reverse("mfa_authenticate"), {"code": "not-a-code"})
    assert response.status_code == 200 and not signed_in(client)
    event = AuditEvent.objects.get(verb="user.two_factor_failed")
    assert event.action == AuditEvent.Action.SIGN_IN_FAILED and event.user == user
    assert event.detail == {"reauthentication": False}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("login", "label"),
    [("alice", "known username"), ("nobody", "unknown username"),
     ("alice@staff.waymark.test", "known e-mail"), ("nobody@staff.waymark.test", "unknown e-mail")],
)
def test_a_refused_sign_in_costs_one_password_hash_whether_or_not_the_login_exists(client, settings, login, label):
    settings.PASSWORD_HASHERS = ["mentoring.tests.hashers.CountingMD5PasswordHasher"]
    UserFactory(username="alice", email="alice@staff.waymark.test")
    CountingMD5PasswordHasher.calls = 0

    response = sign_in(client, login, "guessing wrong")

    assert "not correct" in response.content.decode()
    assert CountingMD5PasswordHasher.calls == 1, label


@pytest.mark.django_db
def test_an_inactive_account_is_refused_like_a_wrong_password(client, mentor_user):
    mentor_user.is_active = False
    mentor_user.save()
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 200 and "not correct" in response.content.decode()
    assert not signed_in(client)
