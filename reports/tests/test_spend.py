"""The support spend page counts as the report does: spend dated in the period, on the cases
worked with in it (reports.metrics.support_spend), so the two agree to the penny."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contacts.models import SupportSpend
from mentoring.tests.factories import ProgrammeFactory
from reports.metrics import compute_report

from .factories import make_case

PERIOD = {"start": "2024-04-01", "end": "2025-03-31"}


def spend(case, on, category, amount):
    return SupportSpend.objects.create(case=case, spent_on=on, category=category, amount=Decimal(amount))


@pytest.fixture
def spent(programme):
    one = make_case(programme, date(2024, 5, 1))
    two = make_case(programme, date(2024, 6, 1))
    spend(one, date(2024, 5, 10), "travel", "12.50")
    spend(one, date(2024, 7, 10), "travel", "7.50")
    spend(two, date(2024, 6, 10), "work_clothing", "45.00")
    spend(two, date(2024, 3, 31), "travel", "99.00")  # the day before the period
    # A case that ended before the period is not worked with in it, even with spend dated in it.
    gone = make_case(programme, date(2023, 1, 1), ended_on=date(2024, 3, 1), closure="completed")
    spend(gone, date(2024, 4, 15), "food", "30.00")
    elsewhere = make_case(ProgrammeFactory(code="far", name="Far away"), date(2024, 5, 1))
    spend(elsewhere, date(2024, 5, 1), "phone", "10.00")
    return programme


@pytest.mark.django_db
def test_support_spend_page_and_report_agree_on_the_same_cohort_and_period(client, lead, spent):
    client.force_login(lead)
    response = client.get(reverse("reports:spend_list"), PERIOD)
    page = response.content.decode()
    row = response.context["rows"][0]
    assert [r["programme"] for r in response.context["rows"]] == [spent]  # a lead sees their programme only
    assert (row["spend"].total, row["spend"].items, row["spend"].cases) == (Decimal("65.00"), 3, 2)
    assert "£65.00" in page and "Travel or taxi: £20.00" in page and "Work boots, clothing and PPE: £45.00" in page
    assert "Food" not in page and "Far away" not in page

    report = compute_report([spent], date(2024, 4, 1), date(2025, 3, 31))
    assert report.spend.total == row["spend"].total
    assert [(c["category"], c["total"]) for c in report.spend.categories] == [
        (c["category"], c["total"]) for c in row["spend"].categories]


@pytest.mark.django_db
def test_support_spend_page_keeps_a_wrong_period_and_says_what_is_wrong(client, manager, spent):
    client.force_login(manager)
    page = client.get(reverse("reports:spend_list"), {"start": "2025-03-31", "end": "2024-04-01"}).content.decode()
    assert "The end of the period must be on or after its start." in page
    assert 'value="2025-03-31"' in page and 'value="2024-04-01"' in page


@pytest.mark.django_db
def test_support_spend_page_defaults_to_the_financial_year_to_date(client, manager, spent):
    from reports.forms import quick_period

    client.force_login(manager)
    response = client.get(reverse("reports:spend_list"))
    assert (response.context["start"], response.context["end"]) == quick_period("financial_year_to_date")


@pytest.mark.django_db
def test_support_spend_page_takes_the_same_queries_for_more_programmes(client, manager, spent,
                                                                       django_assert_max_num_queries):
    client.force_login(manager)
    client.get(reverse("reports:spend_list"), PERIOD)
    # session, user, roles, two-factor check; the programmes; spend by programme; spend by programme
    # and category; the session's idle timer saved (savepoint, update, release)
    with django_assert_max_num_queries(10):
        client.get(reverse("reports:spend_list"), PERIOD)
    for n in range(4):
        case = make_case(ProgrammeFactory(code=f"more{n}"), date(2024, 5, 1))
        spend(case, date(2024, 5, 2), "travel", "1.00")
    with django_assert_max_num_queries(10):
        assert len(client.get(reverse("reports:spend_list"), PERIOD).context["rows"]) == 6
