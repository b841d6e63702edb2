"""A small world for access tests: whose case is whose.

- `my_case` (client `my_client`): in `programme`, alice's current lead allocation.
- `past_case` (client `past_client`): in `programme`, alice's allocation ended yesterday:
  she no longer sees it at all (404), like another mentor's case.
- `other_case` (client `other_client`): in `programme`, bob's current allocation.
- `far_case` (client `far_client`): in `other_programme`, nobody allocated; the lead of
  `programme` must not see it.
Each case has an accepted referral (`my_referral`, ...) and one contact (`my_contact`, ...).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from clients.models import Case, Client
from contacts.models import Contact
from mentors.models import Allocation, Mentor
from referrals.models import Referral, ReferralSource


@dataclass
class World:
    programme: object
    other_programme: object
    alice: object
    bob: object
    my_client: object
    my_case: object
    my_referral: object
    my_contact: object
    past_client: object
    past_case: object
    other_client: object
    other_case: object
    other_referral: object
    other_contact: object
    far_client: object
    far_case: object
    far_referral: object


def mentor_profile(user, programme, **extra):
    profile = Mentor.objects.create(
        user=user, first_name=user.first_name, last_name=user.last_name, email=user.email,
        mentor_type=Mentor.Type.PAID, dbs_certificate_on=date(2025, 1, 10), references_received=True,
        **extra,
    )
    profile.programmes.add(programme)
    return profile


def open_case(first, last, programme, *, mentor=None, allocation_ended=None):
    today = timezone.localdate()
    client = Client.objects.create(first_name=first, last_name=last, date_of_birth=date(2003, 4, 5))
    referral = Referral.objects.create(
        client=client, programme=programme, received_on=today - timedelta(days=60),
        source=ReferralSource.objects.get(code="probation"),
    )
    case = referral.accept(on=today - timedelta(days=50))
    if mentor:
        Allocation.objects.create(case=case, mentor=mentor, started_on=case.started_on, ended_on=allocation_ended)
        case.activate()
    contact = Contact.objects.create(case=case, mentor=mentor, date=today - timedelta(days=3), duration_minutes=45)
    return client, case, referral, contact


def build_world(*, programme, other_programme, mentor_user, other_mentor_user):
    alice = mentor_profile(mentor_user, programme)
    bob = mentor_profile(other_mentor_user, programme)
    my_client, my_case, my_referral, my_contact = open_case("Mina", "Mycase", programme, mentor=alice)
    past_client, past_case, _, _ = open_case(
        "Paul", "Pastcase", programme, mentor=alice, allocation_ended=timezone.localdate() - timedelta(days=1)
    )
    other_client, other_case, other_referral, other_contact = open_case("Olga", "Othercase", programme, mentor=bob)
    far_client, far_case, far_referral, _ = open_case("Fergus", "Farcase", other_programme)
    Case.objects.filter(pk=far_case.pk)  # no allocation: waits in the queue
    return World(
        programme=programme, other_programme=other_programme, alice=alice, bob=bob,
        my_client=my_client, my_case=my_case, my_referral=my_referral, my_contact=my_contact,
        past_client=past_client, past_case=past_case,
        other_client=other_client, other_case=other_case, other_referral=other_referral, other_contact=other_contact,
        far_client=far_client, far_case=far_case, far_referral=far_referral,
    )
