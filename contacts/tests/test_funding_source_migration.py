"""contacts 0008: the free-text funding sources typed so far become the organisation's list,
and each spend points at its row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .factories import allocated_case, mentor_for

BEFORE = [("contacts", "0007_add_submission_tokens")]
AFTER = [("contacts", "0008_funding_sources")]


@pytest.fixture
def _back_to_the_latest_migrations():
    """Migrating back to 0007 drops every later table (appointments, 0009): put them back, so
    the tests that run after this one find the schema they expect."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_back_to_the_latest_migrations")
def test_typed_funding_sources_become_rows_matched_case_insensitively(mentor_user, programme):
    case = allocated_case(mentor_for(mentor_user, programme), programme)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("contacts", "SupportSpend")
    for typed in ("Hardship fund", "hardship FUND ", "Lottery  grant", "lottery grant", ""):
        old.objects.create(case_id=case.pk, spent_on="2026-01-05", category="travel", amount="5.00",
                           funding_source=typed)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    from contacts.models import FundingSource, SupportSpend

    names = sorted(FundingSource.objects.values_list("name", flat=True))
    assert names == ["Hardship fund", "Lottery grant", "Programme budget"]
    paid_from = sorted((s.funding_source.name if s.funding_source else "") for s in SupportSpend.objects.all())
    assert paid_from == ["", "Hardship fund", "Hardship fund", "Lottery grant", "Lottery grant"]
