import pytest

from mentors.models import Strength

from .factories import WaitingCaseFactory


@pytest.fixture
def housing(db):
    return Strength.objects.get(code="housing")


@pytest.fixture
def employment(db):
    return Strength.objects.get(code="employment")


@pytest.fixture
def waiting_case(programme):
    """A case waiting for a mentor in `programme`, for a client in Eastfield who speaks Polish."""
    return WaitingCaseFactory(programme=programme, client__area="Eastfield", client__first_language="Polish")
