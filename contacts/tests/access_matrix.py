"""Access rows for contacts' URLs (tests/test_access_matrix.py).

A mentor sees and logs against cases with a current allocation to them only: a past
allocation or another mentor's case is a 404. CSV export is for leads and managers (the spend table is in reports).
"""

from mentoring.tests.access import Row


def _goal(case):
    from contacts.models import Goal

    return Goal.objects.get_or_create(case=case, description="Get my provisional licence")[0].pk


MATRIX = [
    # Log a contact
    Row("contacts:contact_create", lambda w: {"case_pk": w.my_case.pk}, mentor=200, lead=200, manager=200),
    Row("contacts:contact_create", lambda w: {"case_pk": w.past_case.pk}, label="past allocation",
        mentor=404, lead=200, manager=200),
    Row("contacts:contact_create", lambda w: {"case_pk": w.other_case.pk}, label="other mentor",
        mentor=404, lead=200, manager=200),
    Row("contacts:contact_create", lambda w: {"case_pk": w.far_case.pk}, label="other programme",
        mentor=404, lead=404, manager=200),
    # Didn't attend (POST, redirects back)
    Row("contacts:contact_missed", lambda w: {"case_pk": w.my_case.pk}, method="post",
        mentor=302, lead=302, manager=302),
    Row("contacts:contact_missed", lambda w: {"case_pk": w.other_case.pk}, method="post", label="other mentor",
        mentor=404, lead=302, manager=302),
    Row("contacts:contact_missed", lambda w: {"case_pk": w.far_case.pk}, method="post", label="other programme",
        mentor=404, lead=404, manager=302),
    # Edit a contact
    Row("contacts:contact_update", lambda w: {"pk": w.my_contact.pk}, mentor=200, lead=200, manager=200),
    Row("contacts:contact_update", lambda w: {"pk": w.other_contact.pk}, label="other mentor",
        mentor=404, lead=200, manager=200),
    # Group session
    Row("contacts:group_session_create", mentor=200, lead=200, manager=200),
    # Per-case contact list and CSV
    Row("contacts:case_contacts", lambda w: {"case_pk": w.my_case.pk}, mentor=200, lead=200, manager=200),
    Row("contacts:case_contacts", lambda w: {"case_pk": w.past_case.pk}, label="past allocation",
        mentor=404, lead=200, manager=200),
    Row("contacts:case_contacts", lambda w: {"case_pk": w.other_case.pk}, label="other mentor",
        mentor=404, lead=200, manager=200),
    Row("contacts:case_contacts", lambda w: {"case_pk": w.far_case.pk}, label="other programme",
        mentor=404, lead=404, manager=200),
    Row("contacts:case_contacts_csv", lambda w: {"case_pk": w.my_case.pk}, lead=200, manager=200),
    Row("contacts:case_contacts_csv", lambda w: {"case_pk": w.far_case.pk}, label="other programme",
        lead=404, manager=200),
    # Support spend
    Row("contacts:spend_create", lambda w: {"case_pk": w.my_case.pk}, mentor=200, lead=200, manager=200),
    Row("contacts:spend_create", lambda w: {"case_pk": w.other_case.pk}, label="other mentor",
        mentor=404, lead=200, manager=200),
    # Goals
    Row("contacts:goal_create", lambda w: {"case_pk": w.my_case.pk}, mentor=200, lead=200, manager=200),
    Row("contacts:goal_create", lambda w: {"case_pk": w.past_case.pk}, label="past allocation",
        mentor=404, lead=200, manager=200),
    Row("contacts:goal_update", lambda w: {"pk": _goal(w.my_case)}, mentor=200, lead=200, manager=200),
    Row("contacts:goal_update", lambda w: {"pk": _goal(w.other_case)}, label="other mentor",
        mentor=404, lead=200, manager=200),
    Row("contacts:goal_update", lambda w: {"pk": _goal(w.far_case)}, label="other programme",
        mentor=404, lead=404, manager=200),
]
