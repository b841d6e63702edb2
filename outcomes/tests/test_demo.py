import pytest

from outcomes import demo
from outcomes.models import Achievement, Assessment, Offence, Questionnaire

pytestmark = pytest.mark.django_db


def test_demo_seed_gives_most_cases_wheels_and_histories_and_is_repeatable(world, lead):
    from clients.models import Case, ClosureReason
    from mentors.services import close_case

    close_case(world.past_case, reason=ClosureReason.objects.first(), by=lead)
    cases = list(Case.objects.order_by("pk"))
    counts = demo.seed({"cases": cases, "users": {"lead": lead}})
    assert counts["assessments"] >= len(cases) - 1
    assert Offence.objects.count() == counts["offences"] > 0
    assert Offence.objects.filter(conviction_date__isnull=False).exists()
    assert Questionnaire.objects.filter(case=world.past_case).exists()
    assert Achievement.objects.count() == counts["achievements"]
    before = (Assessment.objects.count(), Offence.objects.count())
    demo.seed({"cases": cases, "users": {"lead": lead}})
    assert (Assessment.objects.count(), Offence.objects.count()) == before
