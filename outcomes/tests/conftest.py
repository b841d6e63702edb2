import pytest

from tests.world import build_world


@pytest.fixture
def world(programme, other_programme, mentor_user, other_mentor_user):
    return build_world(
        programme=programme, other_programme=other_programme,
        mentor_user=mentor_user, other_mentor_user=other_mentor_user,
    )
