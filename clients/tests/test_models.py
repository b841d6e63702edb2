from datetime import timedelta

import pytest
from django.utils import timezone

from clients.models import Client, RiskFlag
from clients.tests.factories import ClientFactory, RiskFlagFactory

pytestmark = pytest.mark.django_db


def test_an_overdue_flag_says_so_in_words():
    flag = RiskFlagFactory(review_on=timezone.localdate() - timedelta(days=2))
    assert "review overdue since" in str(flag)


def test_active_risk_flags_come_from_one_prefetch_for_a_page_of_clients(django_assert_num_queries):
    for _ in range(4):
        RiskFlagFactory(client=ClientFactory())
    RiskFlagFactory(client=ClientFactory(), active=False)
    with django_assert_num_queries(2):
        flags = [len(c.active_risk_flags) for c in Client.objects.with_active_risk_flags()]
    assert sorted(flags) == [0, 1, 1, 1, 1]


def test_review_due_covers_overdue_and_the_next_seven_days():
    today = timezone.localdate()
    due = RiskFlagFactory(review_on=today + timedelta(days=7))
    overdue = RiskFlagFactory(review_on=today - timedelta(days=30), kind=RiskFlag.Kind.TO_SELF)
    RiskFlagFactory(review_on=today + timedelta(days=8), kind=RiskFlag.Kind.TO_STAFF)
    assert set(RiskFlag.objects.review_due(today)) == {due, overdue}
