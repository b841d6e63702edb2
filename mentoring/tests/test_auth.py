import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mentoring.demo import DEMO_PASSWORD
from mentoring.models import AuditEvent, Role
from mentoring.tests.factories import PASSWORD, UserFactory, totp_code, with_totp

LOGIN = "/accounts/login/"


def sign_in(client, login, password):
    return client.post(LOGIN, {"login": login, "password": password})


@pytest.mark.django_db
def test_demo_mentor_signs_in_through_the_login_form(client):
    call_command("seed_demo", verbosity=0)
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert b'name="login"' in page.content and b'name="password"' in page.content

    response = sign_in(client, "mentor", DEMO_PASSWORD)

    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Hello, Jess" in home.content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused_and_recorded(client, mentor_user):
    response = sign_in(client, "alice", "not the password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED).exists()


@pytest.mark.django_db
def test_locked_out_user_cannot_sign_in_even_with_the_right_password(client, mentor_user):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "alice", "guessing wrong")

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_successful_sign_in_is_recorded_in_the_audit_trail(client, mentor_user):
    sign_in(client, "alice", PASSWORD)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
    assert event.user == mentor_user


@pytest.mark.django_db
def test_manager_without_two_factor_is_sent_to_set_it_up_before_anything_else(client):
    UserFactory(username="newmanager", role=Role.MANAGER)
    sign_in(client, "newmanager", PASSWORD)

    for path in (reverse("home"), "/clients/", "/reports/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))

    # Setting up an authenticator asks for the password once more, then shows the QR code.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "svg" in page.content.decode().lower()


@pytest.mark.django_db
def test_administrator_without_two_factor_cannot_reach_the_admin(client):
    UserFactory(username="newadmin", role=Role.ADMINISTRATOR, is_staff=True)
    sign_in(client, "newadmin", PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_mentor_is_not_asked_for_two_factor(client, mentor_user):
    sign_in(client, "alice", PASSWORD)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_manager_with_two_factor_must_give_a_code_to_sign_in(client):
    user = UserFactory(username="mfamanager", role=Role.MANAGER)
    secret = with_totp(user)

    response = sign_in(client, "mfamanager", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet

    response = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert response.status_code == 200 and client.get(reverse("home")).status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_demo_manager_may_skip_two_factor_only_while_debug_is_on(client, settings):
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = True
    settings.MFA_DEMO_EXEMPTION = True
    sign_in(client, "manager", DEMO_PASSWORD)
    assert client.get(reverse("home")).status_code == 200

    settings.DEBUG = False
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_idle_session_expires_after_thirty_minutes(client, mentor_user):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    sign_in(client, "alice", PASSWORD)
    client.get(reverse("home"))
    session = Session.objects.get()
    # Every request pushes the expiry forward by the idle limit.
    assert timezone.now() + timedelta(minutes=29) < session.expire_date <= timezone.now() + timedelta(minutes=30)

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_there_is_no_public_sign_up(client):
    assert client.get("/accounts/signup/").status_code == 404
    assert b"signup" not in client.get(LOGIN).content.lower()


@pytest.mark.django_db
def test_password_reset_sends_an_email_to_a_known_address(client, mentor_user):
    response = client.post(reverse("account_reset_password"), {"email": mentor_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mentor_user.email in mail.outbox[0].to


@pytest.mark.django_db
def test_signed_in_user_can_change_their_password(client, mentor_user):
    client.force_login(mentor_user)
    new = "a much longer new passphrase 42"
    response = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302
    mentor_user.refresh_from_db()
    assert mentor_user.check_password(new)


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(settings):
    from django.conf import settings as live

    settings.PASSWORD_HASHERS = live.PASSWORD_HASHERS_CONFIGURED
    user = UserFactory(username="hashed")
    assert user.password.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_the_argon2_cost_comes_from_the_settings(settings):
    from django.conf import settings as live

    settings.PASSWORD_HASHERS = live.PASSWORD_HASHERS_CONFIGURED
    settings.ARGON2_MEMORY_KIB, settings.ARGON2_TIME_COST = 65536, 2
    user = UserFactory(username="stronger")
    assert user.password.startswith("argon2$argon2id$v=19$m=65536,t=2,p=1$")
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_password_hashed_with_djangos_argon2_settings_still_signs_in_and_is_upgraded(settings, client):
    from django.conf import settings as live
    from django.contrib.auth.hashers import Argon2PasswordHasher

    settings.PASSWORD_HASHERS = live.PASSWORD_HASHERS_CONFIGURED
    user = UserFactory(username="older")
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.save()
    assert ",p=8$" in user.password
    response = client.post(reverse("account_login"), {"login": "older", "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/login/" not in response["Location"]
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")


@pytest.mark.django_db
def test_administrator_can_create_users_in_the_admin_but_a_mentor_cannot(client, administrator, mentor_user):
    client.force_login(administrator)
    assert client.get("/admin/auth/user/add/").status_code == 200
    client.force_login(mentor_user)
    response = client.get("/admin/auth/user/add/")
    assert response.status_code in (302, 403)
    assert b'name="username"' not in response.content


@pytest.mark.django_db
def test_administrator_sees_no_client_records_in_the_admin(client, administrator):
    client.force_login(administrator)
    index = client.get("/admin/").content.decode()
    assert "Closure reasons" in index
    assert "/admin/clients/client/" not in index


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_navigation_shows_only_what_the_role_may_use(client, mentor_user, administrator):
    client.force_login(mentor_user)
    page = client.get(reverse("home")).content.decode()
    assert "Administration" not in page
    client.force_login(administrator)
    page = client.get(reverse("home")).content.decode()
    assert 'href="/admin/"' in page


@pytest.mark.django_db
def test_deploy_check_passes_with_production_settings(tmp_path):
    # The test run's own DJANGO_ALLOW_ASYNC_UNSAFE (for browser tests) is no production setting.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "waymark.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "", "ALLOWED_HOSTS": "x.example.org"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_seeded_demo_two_factor_manager_must_give_a_code_and_one_from_the_printed_secret_signs_in(client, settings):
    from allauth.mfa.models import Authenticator

    from mentoring.demo import DEMO_TOTP_SECRET, DEMO_TOTP_USERNAME, demo_totp_uri

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert f"secret={DEMO_TOTP_SECRET}" in demo_totp_uri()
    response = sign_in(client, DEMO_TOTP_USERNAME, DEMO_PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in without the code
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200 and home.wsgi_request.user.username == DEMO_TOTP_USERNAME
    # The plain demo manager has no authenticator: the fixed secret is only ever Nadia's.
    assert list(Authenticator.objects.values_list("user__username", flat=True)) == [DEMO_TOTP_USERNAME]


@pytest.mark.django_db
def test_demo_seed_sets_up_no_authenticator_when_debug_is_off(settings):
    from allauth.mfa.models import Authenticator

    settings.DEBUG = False
    call_command("seed_demo", verbosity=0)
    assert not Authenticator.objects.exists()
