"""`<Model>.objects.restrict(user, action)`: the access policy (mentoring.access.restrict) as
every personal-data queryset applies it, on PostgreSQL.

The world: Alice mentors one case of `programme` (and once mentored another, now ended); Bob
mentors a second; Charlie leads `programme`; Dana leads `other_programme`, which has a case
of its own.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from clients.models import Case, Client, RiskFlag
from clients.tests.factories import CaseFactory, RiskFlagFactory
from contacts.models import Contact, Goal
from contacts.tests.factories import ContactFactory, GoalFactory, allocated_case
from mentoring import access
from mentoring.models import Programme
from mentoring.tests.factories import MembershipFactory
from mentors.models import Allocation, Mentor, Training
from mentors.tests.factories import TrainingFactory
from outcomes.models import Offence, Score
from outcomes.tests.factories import OffenceFactory, make_assessment
from referrals.models import Referral
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(alice, bob, programme, other_programme):
    yesterday = timezone.localdate() - timedelta(days=1)
    return {
        "alice": allocated_case(alice, programme),
        "ended": allocated_case(alice, programme, ended_on=yesterday),
        "bob": allocated_case(bob, programme),
        "far": CaseFactory(programme=other_programme, status=Case.Status.ACTIVE),
    }


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_a_mentor_restricted_to_view_sees_only_contacts_of_cases_allocated_to_them(mentor_user, cases):
    contacts = {name: ContactFactory(case=case) for name, case in cases.items()}
    assert _ids(Contact.objects.restrict(mentor_user, "view")) == {contacts["alice"].pk}


def test_a_mentor_no_longer_sees_a_case_once_their_allocation_has_ended(mentor_user, cases):
    assert cases["ended"].pk not in _ids(Case.objects.restrict(mentor_user, "view"))
    assert cases["ended"].client_id not in _ids(Client.objects.restrict(mentor_user, "view"))


def test_a_mentor_may_change_their_case_but_not_manage_it(mentor_user, cases):
    assert _ids(Case.objects.restrict(mentor_user, "change")) == {cases["alice"].pk}
    assert not Case.objects.restrict(mentor_user, "manage").exists()
    assert not Allocation.objects.restrict(mentor_user, "manage").exists()


def test_a_lead_cannot_change_a_case_of_another_programme_through_restrict(lead, cases):
    changeable = _ids(Case.objects.restrict(lead, "change"))
    assert cases["far"].pk not in changeable
    assert changeable == {cases["alice"].pk, cases["ended"].pk, cases["bob"].pk}
    assert _ids(Case.objects.restrict(lead, "manage")) == changeable


def test_a_lead_sees_the_scores_of_assessments_in_their_programme_only(lead, cases):
    mine = make_assessment(cases["bob"], [5, 6])
    make_assessment(cases["far"], [3, 4])
    assert _ids(Score.objects.restrict(lead, "view")) == set(mine.scores.values_list("pk", flat=True))


def test_a_lead_sees_the_flags_and_offences_of_a_client_only_while_their_referral_awaits(lead, programme):
    referral = ReferralFactory(programme=programme)
    flag = RiskFlagFactory(client=referral.client)
    offence = OffenceFactory(client=referral.client)
    assert _ids(RiskFlag.objects.restrict(lead, "view")) == {flag.pk}
    assert _ids(Offence.objects.restrict(lead, "change")) == {offence.pk}
    Referral.objects.filter(pk=referral.pk).update(decision=Referral.Decision.DECLINED)
    assert not RiskFlag.objects.restrict(lead, "view").exists()
    assert not Offence.objects.restrict(lead, "view").exists()


def test_a_mentor_sees_the_referral_of_their_case_but_cannot_decide_it(mentor_user, cases, programme):
    referral = ReferralFactory(programme=programme, client=cases["alice"].client, case=cases["alice"])
    assert _ids(Referral.objects.restrict(mentor_user, "view")) == {referral.pk}
    assert not Referral.objects.restrict(mentor_user, "change").exists()


def test_a_mentor_sees_their_own_profile_and_training_but_manages_neither(mentor_user, alice, bob):
    training = TrainingFactory(mentor=alice)
    TrainingFactory(mentor=bob)
    assert _ids(Mentor.objects.restrict(mentor_user, "view")) == {alice.pk}
    assert _ids(Training.objects.restrict(mentor_user, "view")) == {training.pk}
    assert not Mentor.objects.restrict(mentor_user, "manage").exists()


def test_a_lead_in_a_mentors_two_programmes_finds_that_mentor_once(lead, alice, programme, other_programme):
    alice.programmes.add(other_programme)
    MembershipFactory(user=lead, programme=other_programme)
    assert list(Mentor.objects.restrict(lead, "manage").values_list("pk", flat=True)) == [alice.pk]


def test_a_manager_is_restricted_to_nothing(manager, cases):
    ContactFactory(case=cases["far"])
    assert Contact.objects.restrict(manager, "change").count() == Contact.objects.count() == 1
    assert _ids(Case.objects.restrict(manager, "manage")) == _ids(Case.objects.all())


def test_an_account_with_no_role_or_only_administration_sees_nothing(no_role_user, administrator, cases):
    GoalFactory(case=cases["alice"])
    for user in (no_role_user, administrator):
        assert not Goal.objects.restrict(user, "view").exists()
        assert not Client.objects.restrict(user, "view").exists()
        assert not Mentor.objects.restrict(user, "view").exists()


def test_the_managers_still_return_every_row_when_nothing_is_restricted(mentor_user, cases):
    for case in cases.values():
        ContactFactory(case=case)
    assert Contact.objects.count() == len(cases)


def test_restrict_keeps_the_models_own_queryset_methods_chainable(mentor_user, cases):
    due = ContactFactory(case=cases["alice"], follow_up_on=timezone.localdate())
    ContactFactory(case=cases["bob"], follow_up_on=timezone.localdate())
    before = Contact.objects.follow_ups_due().restrict(mentor_user, "view").for_lists()
    after = Contact.objects.restrict(mentor_user, "view").for_lists().follow_ups_due()
    assert _ids(before) == _ids(after) == {due.pk}


def test_the_access_functions_agree_with_restrict(lead, mentor_user, cases):
    for user in (lead, mentor_user):
        assert _ids(access.visible_cases(user)) == _ids(Case.objects.restrict(user, "view"))
        assert _ids(access.managed_cases(user)) == _ids(Case.objects.restrict(user, "manage"))
        assert _ids(access.changeable_clients(user)) == _ids(Client.objects.restrict(user, "change"))


def test_restrict_with_an_unknown_action_raises(lead):
    with pytest.raises(ValueError, match="Unknown access action 'delete'"):
        Contact.objects.restrict(lead, "delete")


def test_a_client_cannot_be_restricted_to_manage(lead):
    with pytest.raises(ValueError, match="their case that is managed"):
        Client.objects.restrict(lead, "manage")


def test_a_model_with_no_access_path_cannot_be_restricted(lead):
    with pytest.raises(ImproperlyConfigured, match="no access_path"):
        access.restrict(Programme.objects.all(), lead, "view")
