import pytest

from mentors.models import Strength

from .factories import CaseFactory, MentorFactory


@pytest.fixture
def housing(db):
    return Strength.objects.get(code="housing")


@pytest.fixture
def employment(db):
    return Strength.objects.get(code="employment")


@pytest.fixture
def case(programme):
    """A case waiting for a mentor in `programme`, for a client in Eastfield who speaks Polish."""
    return CaseFactory(programme=programme, client__area="Eastfield", client__first_language="Polish")


@pytest.fixture
def alice(mentor_user, programme):
    """Alice's mentor profile: a vetted paid mentor in `programme`."""
    return MentorFactory(
        user=mentor_user, first_name="Alice", last_name="Mentor", mentor_type="paid", programmes=[programme],
    )


@pytest.fixture
def bob(other_mentor_user, programme):
    return MentorFactory(
        user=other_mentor_user, first_name="Bob", last_name="Othermentor", programmes=[programme],
    )
