"""The demo data a newcomer sees after `make run` reads like a real charity's records."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

IN_PERSON_WORDS = re.compile(r"\b(coffee|caf[eé]|met outside|went with|together;|bowling|visited)\b", re.IGNORECASE)


@pytest.fixture
def seeded():
    call_command("seed_demo", verbosity=0)


def test_no_demo_client_or_mentor_has_a_test_looking_name(seeded):
    from clients.models import Client
    from mentors.models import Mentor

    names = [f"{c.first_name} {c.last_name}" for c in Client.objects.all()]
    names += [f"{m.first_name} {m.last_name}" for m in Mentor.objects.all()]
    assert names
    assert not [n for n in names if re.search(r"test|dummy|fake|xxx", n, re.IGNORECASE)]


def test_demo_phone_video_and_message_notes_never_describe_meeting_in_person(seeded):
    from contacts.models import Contact

    remote = Contact.objects.exclude(mode="face_to_face").exclude(notes="")
    assert remote.filter(mode="phone").exists() and remote.filter(mode="message").exists()
    assert not [(c.mode, c.notes) for c in remote if IN_PERSON_WORDS.search(c.notes)]
    messages = Contact.objects.filter(mode="message").exclude(notes="")
    assert not [c.notes for c in messages if re.search(r"\b(call|phoned|rang)\b", c.notes, re.IGNORECASE)]


def test_demo_mentors_have_dbs_certificate_numbers_last_checks_and_times_they_can_meet(seeded):
    from mentors.models import Mentor, TimeSlot

    mentors = list(Mentor.objects.all())
    assert mentors
    for mentor in mentors:
        assert re.fullmatch(r"\d{12}", mentor.dbs_certificate_number), mentor
        assert mentor.dbs_status_checked_on is not None, mentor
        assert mentor.available_times and set(mentor.available_times) <= set(TimeSlot.values), mentor
    # The matching page's hard filter still offers vetted mentors.
    assert Mentor.objects.suggestible().exists()
