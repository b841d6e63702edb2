"""People every test needs (healthchecks' alice/bob/charlie): a mentor, another mentor,
a project lead, a manager and an administrator, around one programme and another one.

Mentor profiles are created by the `mentor`/`other_mentor` fixtures so tests can allocate
cases to them; `lead` leads `programme` only, never `other_programme`.
"""

import os
import shutil

import pytest

# Playwright runs an event loop in the test thread; Django's ORM calls from browser tests are
# still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from mentoring.models import Role
from mentoring.tests.factories import MembershipFactory, ProgrammeFactory, UserFactory, with_totp


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Manifest storage needs collectstatic; tests render templates with plain storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests create thousands of users. The Argon2 set-up itself
    # is tested in mentoring/tests/test_auth.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _local_cache(settings):
    # Each test gets an empty in-memory cache: login rate limits never leak between tests.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()


# Reference data the data migrations seed. A transactional test (browser tests with
# live_server) flushes every table when it ends, so the next one would find no roles, codes or
# templates: each transactional test puts them back first, by running the data migrations'
# RunPython steps again (the named function only, where the migration does more than seed).
REFERENCE_SEEDS = [
    ("mentoring.migrations.0002_roles_and_cache", "create_groups"),
    ("clients.migrations.0002_default_closure_reasons", None),
    ("referrals.migrations.0002_default_sources", None),
    ("referrals.migrations.0004_eligibility_rules", None),
    ("mentors.migrations.0002_default_strengths", None),
    ("contacts.migrations.0002_default_activities", None),
    ("contacts.migrations.0008_funding_sources", "seed"),
    ("outcomes.migrations.0002_reference_data", "seed"),
]


def _seeds(module_name, function):
    from importlib import import_module

    from django.db.migrations import RunPython

    module = import_module(module_name)
    if function:
        return [getattr(module, function)]
    return [op.code for op in module.Migration.operations if isinstance(op, RunPython)]


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    # The flush made the content types again under new ids: forget the old ones, or the next
    # change-history row points at a content type that no longer exists.
    ContentType.objects.clear_cache()

    from mentoring.apps import grant_administrator_permissions

    for module, function in REFERENCE_SEEDS:
        for seed in _seeds(module, function):
            seed(apps, None)
    grant_administrator_permissions(sender=None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The flush after a transactional test is a DELETE on SQLite, which the audit tables'
    # append-only triggers refuse; on PostgreSQL it is a TRUNCATE, which row triggers do not see.
    from django.db import connection

    if connection.vendor == "sqlite":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            for table in ("mentoring_auditevent", "auditlog_logentry"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


@pytest.fixture
def programme(db):
    return ProgrammeFactory(code="bridge", name="Bridge 18-25", engagement_min_contacts=2)


@pytest.fixture
def other_programme(db):
    return ProgrammeFactory(code="elsewhere", name="Elsewhere project")


@pytest.fixture
def mentor_user(db):
    return UserFactory(username="alice", first_name="Alice", last_name="Mentor", role=Role.MENTOR)


@pytest.fixture
def other_mentor_user(db):
    return UserFactory(username="bob", first_name="Bob", last_name="Othermentor", role=Role.MENTOR)


@pytest.fixture
def alice(mentor_user, programme):
    """Alice Mentor's mentor profile: a vetted paid mentor in `programme`, signing in as mentor_user."""
    from mentors.tests.factories import MentorFactory

    return MentorFactory(
        user=mentor_user, first_name="Alice", last_name="Mentor", mentor_type="paid", programmes=[programme],
    )


@pytest.fixture
def bob(other_mentor_user, programme):
    """Bob Othermentor's mentor profile: a vetted volunteer mentor in `programme`."""
    from mentors.tests.factories import MentorFactory

    return MentorFactory(
        user=other_mentor_user, first_name="Bob", last_name="Othermentor", programmes=[programme],
    )


@pytest.fixture
def lead(db, programme):
    user = UserFactory(username="charlie", first_name="Charlie", last_name="Lead", role=Role.LEAD)
    MembershipFactory(user=user, programme=programme, role=Role.LEAD)
    return user


@pytest.fixture
def other_lead(db, other_programme):
    user = UserFactory(username="dana", first_name="Dana", last_name="Otherlead", role=Role.LEAD)
    MembershipFactory(user=user, programme=other_programme, role=Role.LEAD)
    return user


@pytest.fixture
def manager(db):
    """A manager who has set up two-factor authentication, as the role requires."""
    user = UserFactory(username="erin", first_name="Erin", last_name="Manager", role=Role.MANAGER)
    with_totp(user)
    return user


@pytest.fixture
def administrator(db):
    user = UserFactory(username="frank", first_name="Frank", last_name="Admin", role=Role.ADMINISTRATOR, is_staff=True)
    with_totp(user)
    return user


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="gina", first_name="Gina", last_name="Norole")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not shutil.which(chromium):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {chromium}: browser tests must run in CI.")
        pytest.skip(f"Chromium is not installed at {chromium} (install the Debian package 'chromium').")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A British browser: date inputs read 23/11/2026, times in the 24-hour clock.
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}
