import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from mentoring.models import AuditEvent

from .privacy_world import *  # noqa: F403 (fixtures)
from .privacy_world import build_person

pytestmark = pytest.mark.django_db



def _json(client, person):
    response = client.get(reverse("dataio:client_export_json", kwargs={"pk": person.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content.decode(), json.loads(response.content)


def test_json_export_holds_every_record_of_the_client_and_nothing_of_another(client, manager, two_people):
    (alpha, alpha_words), (_beta, beta_words) = two_people
    client.force_login(manager)
    text, document = _json(client, alpha)
    for key, word in alpha_words.items():
        assert word in text, f"{key} ({word}) missing from the export"
    for key, word in beta_words.items():
        assert word not in text, f"the other client's {key} ({word}) leaked into the export"
    sections = {
        "risk_flags": 1, "referrals": 2, "cases": 1, "allocations": 1, "contacts": 3, "group_sessions": 1,
        "goals": 1, "support_spend": 1, "assessments": 2, "achievements": 1, "offences": 1, "custody_periods": 1,
        "questionnaires": 1, "case_studies": 1,
    }
    for key, count in sections.items():
        assert len(document[key]) == count, key
    assert document["client"]["first_name"] == alpha_words["first_name"]
    assert document["allocations"][0]["mentor"] == "Alice Mentor"
    assert {s["domain"] for s in document["assessments"][0]["scores"]}
    assert document["questionnaires"][0]["answers"][0]["answer"] == 4
    assert document["audit_events"] and document["change_history"]


def test_pdf_export_holds_every_record_of_the_client_and_nothing_of_another(client, manager, two_people):
    (alpha, alpha_words), (_beta, beta_words) = two_people
    client.force_login(manager)
    response = client.get(reverse("dataio:client_export_pdf", kwargs={"pk": alpha.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = "".join(text.split())
    for key, word in alpha_words.items():
        assert "".join(word.split()) in flat, f"{key} ({word}) missing from the PDF"
    for key, word in beta_words.items():
        assert "".join(word.split()) not in flat, f"the other client's {key} ({word}) leaked into the PDF"
    assert "Information we hold about you" in text
    assert "20 Aug 1998" in text  # dates a person reads: 23 Nov 2026


def test_each_download_is_recorded_as_an_export(client, manager, two_people):
    (alpha, _), _ = two_people
    client.force_login(manager)
    client.get(reverse("dataio:client_export_json", kwargs={"pk": alpha.pk}))
    client.get(reverse("dataio:client_export_pdf", kwargs={"pk": alpha.pk}))
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, verb="client.exported", client_id=alpha.pk)
    assert sorted(e.detail["format"] for e in events) == ["json", "pdf"]
    assert all(e.username == "erin" for e in events)


def test_export_runs_a_fixed_number_of_queries(client, manager, programme, alice_profile, django_assert_max_num_queries):
    from datetime import date

    small, _ = build_person(programme, alice_profile, "Small")
    large, _ = build_person(programme, alice_profile, "Large", received_on=date(2018, 1, 1),
                            accepted_on=date(2018, 1, 5), closed_on=date(2019, 1, 5))
    # Three more cases' worth of records for the same person.
    for tag, year in (("Lb", 2020), ("Lc", 2021), ("Ld", 2022)):
        other, _ = build_person(programme, alice_profile, tag, received_on=date(year, 1, 1),
                                accepted_on=date(year, 1, 5), closed_on=date(year, 6, 5))
        other.cases.update(client=large)
        other.referrals.update(client=large)
        other.offences.update(client=large)
    client.force_login(manager)
    url = "dataio:client_export_json"
    # session + user + groups, the client (access), 17 record queries (client, flags, referrals,
    # cases, allocations, contacts, other mentors, activities, spend, goals, assessments, scores,
    # achievements, questionnaires, answers, case studies, offences, custody), audit events,
    # change history, content types, the export's audit event.
    with django_assert_max_num_queries(32) as small_run:
        client.get(reverse(url, kwargs={"pk": small.pk}))
    with django_assert_max_num_queries(32) as large_run:
        client.get(reverse(url, kwargs={"pk": large.pk}))
    assert len(large_run.captured_queries) == len(small_run.captured_queries)


def test_export_page_offers_both_downloads_and_erasure(client, manager, two_people):
    (alpha, _), _ = two_people
    client.force_login(manager)
    response = client.get(reverse("dataio:client_export", kwargs={"pk": alpha.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("dataio:client_export_pdf", kwargs={"pk": alpha.pk}) in body
    assert reverse("dataio:client_export_json", kwargs={"pk": alpha.pk}) in body
    assert reverse("dataio:erasure_request", kwargs={"pk": alpha.pk}) in body
    assert "Who may receive it" in body


def test_lead_cannot_export_a_client(client, lead, two_people):
    (alpha, _), _ = two_people
    client.force_login(lead)
    assert client.get(reverse("dataio:client_export_json", kwargs={"pk": alpha.pk})).status_code == 403


def test_the_pdf_export_is_drawn_in_its_stylesheet(client, manager, two_people):
    from mentoring.tests.pdftext import size_of, text_sizes

    (alpha, _), _ = two_people
    client.force_login(manager)
    pdf = client.get(reverse("dataio:client_export_pdf", kwargs={"pk": alpha.pk})).content
    assert size_of(pdf, "Information we hold about you") == 18  # h1 { font-size: 18pt }
    assert any(run.startswith("Page 1 of ") for run, _size in text_sizes(pdf))  # @page footer
