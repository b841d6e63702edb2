"""The mentors a case shows on the client pages (the list's Mentor column, the cases card).

Read through `case.allocations`, the reverse relation of mentors.Allocation: clients does not
import mentors, and never changes an allocation (closing a case ends them in
mentors.services.close_case). Which allocations are in force repeats
`mentors.models.AllocationQuerySet.current()`, here over rows the view already prefetched.
"""

from django.utils import timezone


def current_allocations(case, on=None):
    """The case's allocations in force on `on` (today), from its prefetched `allocations`."""
    on = on or timezone.localdate()
    return [a for a in case.allocations.all() if a.started_on <= on and (a.ended_on is None or a.ended_on > on)]
