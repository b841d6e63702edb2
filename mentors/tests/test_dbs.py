"""DBS Update Service status checks against a real stand-in HTTP server on 127.0.0.1."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mentors import dbs, matching
from mentors.models import Mentor

from .factories import MentorFactory

pytestmark = pytest.mark.django_db

ANSWER = """<?xml version="1.0" encoding="UTF-8"?>
<statusCheckResult><forename>{forename}</forename><surname>{surname}</surname>
<printDate>01/02/2026</printDate><statusCheckResultType>{status}</statusCheckResultType></statusCheckResult>"""


class StandIn(BaseHTTPRequestHandler):
    """Answers each certificate number with the status named by its last digit."""

    statuses = {"1": "BLANK_NO_NEW_INFO", "2": "NON_BLANK_NO_NEW_INFO", "3": "NEW_INFO", "4": "NO_MATCH_FOUND"}
    asked = []

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        StandIn.asked.append((url.path, query))
        body = ANSWER.format(forename="X", surname=query["surname"][0], status=self.statuses[url.path[-1]])
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def update_service(settings):
    server = HTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    StandIn.asked = []
    settings.DBS_STATUS_CHECKS_ENABLED = True
    settings.DBS_UPDATE_SERVICE_URL = f"http://127.0.0.1:{server.server_port}/crsc/api/status"
    settings.DBS_ORGANISATION_NAME = "Example Mentoring CIC"
    settings.DBS_CHECKER_FORENAME, settings.DBS_CHECKER_SURNAME = "Chris", "Checker"
    yield StandIn
    server.shutdown()
    server.server_close()


def test_the_stand_ins_new_info_flags_the_mentor_and_stops_matching(update_service, waiting_case, programme):
    mentor = MentorFactory(programmes=[programme], last_name="Okafor", dbs_certificate_number="001234567893")
    assert matching.suggestions_for(waiting_case)[0].mentor == mentor

    assert dbs.check_status(mentor) == "NEW_INFO"

    mentor.refresh_from_db()
    assert mentor.dbs_status == Mentor.DbsStatus.NEW_INFO
    assert mentor.dbs_status_checked_on == timezone.localdate()
    assert mentor.dbs_status_review_needed and not mentor.is_vetted()
    assert "DBS status to review: new information: ask for a new check" in mentor.compliance_warnings()
    assert matching.suggestions_for(waiting_case) == []
    path, query = update_service.asked[0]
    assert path == "/crsc/api/status/001234567893"
    assert query["surname"] == ["Okafor"] and query["organisationName"] == ["Example Mentoring CIC"]

    mentor.record_dbs_review(note="New certificate seen, risk assessed")
    assert mentor.is_vetted() and matching.suggestions_for(waiting_case)[0].mentor == mentor


@pytest.mark.parametrize(("number", "flagged"), [("000000000001", False), ("000000000002", False), ("000000000004", True)])
def test_each_status_is_recorded_and_only_no_match_flags_besides_new_info(update_service, programme, number, flagged):
    mentor = MentorFactory(programmes=[programme], dbs_certificate_number=number)
    dbs.check_status(mentor)
    mentor.refresh_from_db()
    assert mentor.dbs_status == update_service.statuses[number[-1]]
    assert mentor.dbs_status_review_needed is flagged


def test_the_daily_command_checks_only_the_mentors_due(update_service, programme, capsys):
    due = MentorFactory(programmes=[programme], dbs_certificate_number="000000000003")
    MentorFactory(programmes=[programme], dbs_certificate_number="000000000001",
                  dbs_status_checked_on=timezone.localdate() - timedelta(days=10))
    MentorFactory(programmes=[programme])  # no certificate number: nothing to check
    call_command("check_dbs_status")
    assert capsys.readouterr().out.strip() == "1 DBS status checks recorded, 1 to review, 0 failed."
    assert [path for path, _ in update_service.asked] == ["/crsc/api/status/000000000003"]
    due.refresh_from_db()
    assert due.dbs_status_review_needed


def test_an_answer_with_an_xml_entity_bomb_is_refused():
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><statusCheckResult>&a;</statusCheckResult>'
    with pytest.raises(dbs.StatusCheckFailed):
        dbs.parse_status(bomb)


def test_the_check_now_button_tells_the_lead_the_mentor_is_not_offered(update_service, client, lead, programme):
    mentor = MentorFactory(programmes=[programme], dbs_certificate_number="000000000003")
    client.force_login(lead)
    page = client.post(reverse("mentors:dbs_status_check", args=[mentor.pk]), follow=True)
    assert "is not offered for matching until you record a review" in page.content.decode()
    home = client.get("/").content.decode()
    assert "DBS status checks due" in home and mentor.full_name in home
