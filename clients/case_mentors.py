"""The mentors a case shows on the client pages (the list's Mentor column, the cases card).

Read through `case.allocations`, the reverse relation of mentors.Allocation: clients does not
import mentors, and never changes an allocation (closing a case ends them in
mentors.services.close_case). Which allocations are in force is the allocation's own rule
(`Allocation.is_current`), asked of the rows the view already prefetched.
"""


def current_allocations(case, on=None):
    """The case's allocations in force on `on` (today), from its prefetched `allocations`."""
    return [allocation for allocation in case.allocations.all() if allocation.is_current(on)]
