import pytest

from tests.world import build_world


@pytest.fixture
def world(programme, other_programme, mentor_user, other_mentor_user):
    return build_world(
        programme=programme, other_programme=other_programme,
        mentor_user=mentor_user, other_mentor_user=other_mentor_user,
    )


@pytest.fixture(scope="session", autouse=True)
def _reference_snapshot(django_db_setup, django_db_blocker):
    """The data migrations' reference data (role groups, referral sources, the progress
    wheel), serialized once while the test database is fresh: pytest-django runs every
    non-transactional test before any transactional one, so this runs before any flush."""
    from django.db import connection

    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()


@pytest.fixture
def reference_data(transactional_db, _reference_snapshot):
    """For transactional (browser) tests: put the reference data back if an earlier
    transactional test's flush removed it."""
    from django.contrib.auth.models import Group
    from django.db import connection

    if not Group.objects.exists():
        from django.core.management import call_command

        # The flush re-created content types and permissions; clear them so the snapshot's
        # own rows (with the ids the reference data points at) go back in.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(_reference_snapshot)
