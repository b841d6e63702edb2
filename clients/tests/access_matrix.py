"""Access rows for clients' URLs: another mentor's client or case is a 404, a lead's other programme too."""

from django.utils import timezone

from clients.models import Client, RiskFlag
from mentoring.tests.access import Row

STAFF = dict(mentor=200, lead=200, manager=200)
LEADS = dict(mentor=403, lead=200, manager=200)


def _flag(client):
    return RiskFlag.objects.create(client=client, kind=RiskFlag.Kind.TO_SELF, level="medium").pk


def _awaiting_duplicate_check(client):
    Client.objects.filter(pk=client.pk).update(duplicate_check_since=timezone.now())
    return client.pk


MATRIX = [
    Row("clients:client_list", **STAFF),
    Row("clients:client_detail", lambda w: {"pk": w.my_client.pk}, label="mine", **STAFF),
    # A mentor whose allocation ended no longer sees the client (was 200 before issue 13, point 5).
    Row("clients:client_detail", lambda w: {"pk": w.past_client.pk}, label="past", mentor=404, lead=200, manager=200),
    Row("clients:client_detail", lambda w: {"pk": w.other_client.pk}, label="other", mentor=404, lead=200, manager=200),
    Row("clients:client_detail", lambda w: {"pk": w.far_client.pk}, label="far", mentor=404, lead=404, manager=200),
    Row("clients:client_update", lambda w: {"pk": w.my_client.pk}, label="mine", **STAFF),
    Row("clients:client_update", lambda w: {"pk": w.past_client.pk}, label="past", mentor=404, lead=200, manager=200),
    Row("clients:client_update", lambda w: {"pk": w.other_client.pk}, label="other", mentor=404, lead=200, manager=200),
    Row("clients:client_update", lambda w: {"pk": w.far_client.pk}, label="far", mentor=404, lead=404, manager=200),
    Row("clients:risk_flag_create", lambda w: {"pk": w.my_client.pk}, label="mine", **STAFF),
    Row("clients:risk_flag_create", lambda w: {"pk": w.other_client.pk}, label="other", mentor=404, lead=200, manager=200),
    Row("clients:risk_flag_create", lambda w: {"pk": w.far_client.pk}, label="far", mentor=404, lead=404, manager=200),
    Row("clients:risk_flag_update", lambda w: {"pk": _flag(w.my_client)}, label="mine", **STAFF),
    Row("clients:risk_flag_update", lambda w: {"pk": _flag(w.other_client)}, label="other", mentor=404, lead=200, manager=200),
    Row("clients:risk_flag_update", lambda w: {"pk": _flag(w.far_client)}, label="far", mentor=404, lead=404, manager=200),
    # The duplicate check compares records across the organisation: managers only.
    Row("clients:duplicate_check_list", manager=200),
    Row("clients:duplicate_check_close", lambda w: {"pk": _awaiting_duplicate_check(w.far_client)}, method="post",
        data=lambda w: {"same_person": "no"}, manager=302),
]

for _name in ("case_close", "case_reopen", "case_pause", "case_resume"):
    MATRIX += [
        Row(f"clients:{_name}", lambda w: {"pk": w.my_case.pk}, label="mine", **LEADS),
        Row(f"clients:{_name}", lambda w: {"pk": w.other_case.pk}, label="other", **LEADS),
        Row(f"clients:{_name}", lambda w: {"pk": w.far_case.pk}, label="far", mentor=403, lead=404, manager=200),
    ]
