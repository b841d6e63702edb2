import pytest

from clients import demo as clients_demo
from clients.models import Case, Client, RiskFlag
from mentoring import demo as mentoring_demo
from referrals import demo as referrals_demo
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_demo_seed_gives_clients_referrals_closed_cases_and_a_reengagement():
    context = {}
    mentoring_demo.seed(context)
    clients_demo.seed(context)
    referrals_demo.seed(context)
    assert len(context["clients"]) == Client.objects.count() == 60
    assert {c.programme.code for c in context["cases"]} == {"bridge", "springboard"}
    assert all(case.status in (Case.Status.TO_ALLOCATE, Case.Status.CLOSED) for case in context["cases"])
    assert Referral.objects.awaiting_decision().count() == 6
    assert Referral.objects.filter(decision=Referral.Decision.DECLINED).exists()
    assert Case.objects.filter(status=Case.Status.CLOSED, closure_reason__isnull=False).count() >= 5
    assert Case.objects.filter(previous_case__isnull=False).count() == 1
    assert RiskFlag.objects.review_due().exists()
    assert len({(c.first_name, c.last_name) for c in context["clients"]}) == 60
    # Seeding again changes nothing.
    again = {"programmes": context["programmes"], "users": context["users"]}
    clients_demo.seed(again)
    referrals_demo.seed(again)
    assert Client.objects.count() == 60 and len(again["cases"]) == Case.objects.count()
