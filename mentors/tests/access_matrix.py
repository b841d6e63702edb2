"""Access-matrix rows for the mentors app (tests/test_access_matrix.py).

Leads and managers run allocation; a mentor sees only their own profile, read only. A lead
asking for a mentor or case outside their programmes gets 404; roles without the right
get 403.
"""

from datetime import date

from mentoring.tests.access import Row
from mentors.models import Allocation, Mentor


def far_mentor(world):
    """A mentor working only in the programme `lead` does not lead."""
    mentor = Mentor.objects.create(
        first_name="Farah", last_name="Farmentor", dbs_certificate_on=date(2025, 1, 10), references_received=True,
    )
    mentor.programmes.add(world.other_programme)
    return mentor


def far_allocation(world):
    return Allocation.objects.create(case=world.far_case, mentor=far_mentor(world), started_on=world.far_case.started_on)


def my_allocation(world):
    return Allocation.objects.get(case=world.my_case, mentor=world.alice)


LEAD_PAGE = dict(lead=200, manager=200)

MATRIX = [
    Row("mentors:mentor_list", **LEAD_PAGE),
    Row("mentors:mentor_create", **LEAD_PAGE),
    Row("mentors:mentor_detail", lambda w: {"pk": w.alice.pk}, label="own profile", mentor=200, **LEAD_PAGE),
    Row("mentors:mentor_detail", lambda w: {"pk": w.bob.pk}, label="another mentor", mentor=404, **LEAD_PAGE),
    Row("mentors:mentor_detail", lambda w: {"pk": far_mentor(w).pk}, label="far mentor",
        mentor=404, lead=404, manager=200),
    Row("mentors:mentor_update", lambda w: {"pk": w.bob.pk}, **LEAD_PAGE),
    Row("mentors:mentor_update", lambda w: {"pk": far_mentor(w).pk}, label="far mentor", lead=404, manager=200),
    Row("mentors:training_create", lambda w: {"pk": w.bob.pk}, **LEAD_PAGE),
    Row("mentors:training_create", lambda w: {"pk": far_mentor(w).pk}, label="far mentor", lead=404, manager=200),
    Row("mentors:supervision_create", lambda w: {"pk": w.bob.pk}, **LEAD_PAGE),
    Row("mentors:supervision_create", lambda w: {"pk": far_mentor(w).pk}, label="far mentor", lead=404, manager=200),
    Row("mentors:progression_create", lambda w: {"pk": w.bob.pk}, **LEAD_PAGE),
    Row("mentors:progression_create", lambda w: {"pk": far_mentor(w).pk}, label="far mentor", lead=404, manager=200),
    Row("mentors:mentor_reallocate", lambda w: {"pk": w.alice.pk}, **LEAD_PAGE),
    Row("mentors:mentor_reallocate", lambda w: {"pk": far_mentor(w).pk}, label="far mentor", lead=404, manager=200),
    Row("mentors:allocation_board", **LEAD_PAGE),
    Row("mentors:allocation_proposal", **LEAD_PAGE),
    # POST with nothing chosen: the proposal answers 200 with its message, and nothing changes.
    Row("mentors:allocation_proposal", method="post", label="post", **LEAD_PAGE),
    # Status checks are off in tests: the press is refused with a message, back to the mentor's page.
    Row("mentors:dbs_status_check", lambda w: {"pk": w.bob.pk}, method="post", lead=302, manager=302),
    Row("mentors:dbs_status_check", lambda w: {"pk": far_mentor(w).pk}, method="post", label="far mentor",
        lead=404, manager=302),
    Row("mentors:dbs_status_review", lambda w: {"pk": w.bob.pk}, method="post", lead=302, manager=302),
    Row("mentors:dbs_status_review", lambda w: {"pk": far_mentor(w).pk}, method="post", label="far mentor",
        lead=404, manager=302),
    Row("mentors:allocate", lambda w: {"pk": w.my_case.pk}, **LEAD_PAGE),
    Row("mentors:allocate", lambda w: {"pk": w.far_case.pk}, label="far case", lead=404, manager=200),
    Row("mentors:allocation_end", lambda w: {"pk": my_allocation(w).pk}, **LEAD_PAGE),
    Row("mentors:allocation_end", lambda w: {"pk": far_allocation(w).pk}, label="far case", lead=404, manager=200),
    # POST with nothing filled in: the form answers 200 with its errors, and nothing changes.
    Row("mentors:allocation_end", lambda w: {"pk": my_allocation(w).pk}, method="post", label="post", **LEAD_PAGE),
    Row("mentors:allocate", lambda w: {"pk": w.my_case.pk}, method="post", label="post",
        data=lambda w: {"allocate": "1"}, **LEAD_PAGE),
]
