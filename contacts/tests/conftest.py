import pytest

from .factories import allocated_case


@pytest.fixture
def case(alice, programme):
    """A case of alice's (current lead allocation), started 60 days ago."""
    return allocated_case(alice, programme)
