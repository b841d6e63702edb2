import pytest

from .factories import allocated_case, mentor_for


@pytest.fixture
def alice(mentor_user, programme):
    return mentor_for(mentor_user, programme)


@pytest.fixture
def bob(other_mentor_user, programme):
    return mentor_for(other_mentor_user, programme)


@pytest.fixture
def case(alice, programme):
    """A case of alice's (current lead allocation), started 60 days ago."""
    return allocated_case(alice, programme)
