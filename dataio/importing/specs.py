"""The import files of docs/import.md: their columns, parsers and examples, in import order.

Each `FileSpec` carries its writer, registered by `@writes(name)` on the Importer method that
writes it (dataio/importing/writers.py, contacts.py).
"""

import csv
import io
from dataclasses import dataclass, field

from clients.models import Case, Client, ClosureReason, Ethnicity, Gender, RiskLevel
from contacts.models import Activity, Attendance, Contact, Location, Mode
from mentoring.models import Funder, Programme
from mentors.models import Mentor
from outcomes.models import (
    Achievement,
    AchievementType,
    CustodyPeriod,
    Offence,
    OffenceCategory,
    Question,
)
from referrals.models import Referral, ReferralSource

from .parsers import (
    choice,
    code,
    codes,
    email,
    integer,
    parse_bool,
    parse_date,
    past_date,
    rating_or_not_asked,
    ref,
    refs,
    text,
)


@dataclass(frozen=True)
class Column:
    name: str
    parse: object
    required: bool = False


@dataclass
class FileSpec:
    name: str
    columns: tuple
    key: str = ""  # the column that identifies a record (unique within the file)
    kind: str = ""  # which ref kind the key defines
    example: dict = field(default_factory=dict)
    write: object = field(default=None, repr=False)  # the Importer method registered by @writes

    @property
    def column_names(self):
        return [c.name for c in self.columns]

    @property
    def required(self):
        return [c.name for c in self.columns if c.required]


def _req(name, parse):
    return Column(name, parse, True)


def _opt(name, parse):
    return Column(name, parse, False)


FILES = [
    FileSpec(
        "programmes.csv",
        (
            _req("code", text(Programme, "code")),
            _req("name", text(Programme, "name")),
            _opt("funder", text(Funder, "name")),
            _opt("starts_on", parse_date),
            _opt("ends_on", parse_date),
            _opt("target_clients", integer(0, 1_000_000)),
            _opt("engagement_min_contacts", integer(1, 1000)),
            _opt("assessment_templates", codes("template", "assessment template")),
        ),
        key="code", kind="programme",
        example={"code": "bridge", "name": "Bridge 18-25", "funder": "City Violence Reduction Unit",
                 "starts_on": "2024-04-01", "ends_on": "2026-03-31", "target_clients": "60",
                 "engagement_min_contacts": "2", "assessment_templates": ""},
    ),
    FileSpec(
        "mentors.csv",
        (
            _req("mentor_ref", text(Mentor, "mentor_ref")),
            _req("first_name", text(Mentor, "first_name")),
            _req("last_name", text(Mentor, "last_name")),
            _opt("email", email(Mentor, "email")),
            _req("mentor_type", choice(Mentor.Type)),
            _opt("programmes", refs("programme")),
        ),
        key="mentor_ref", kind="mentor",
        example={"mentor_ref": "M001", "first_name": "Kofi", "last_name": "Example", "email": "kofi@example.org",
                 "mentor_type": "peer", "programmes": "bridge"},
    ),
    FileSpec(
        "clients.csv",
        (
            _req("client_ref", text(Client, "client_ref")),
            _req("first_name", text(Client, "first_name")),
            _req("last_name", text(Client, "last_name")),
            _req("date_of_birth", past_date),
            _opt("gender", choice(Gender)),
            _opt("ethnicity", choice(Ethnicity)),
            _opt("postcode", text(Client, "postcode")),
            _opt("area", text(Client, "area")),
            _opt("care_experienced", parse_bool),
            _opt("parent_in_prison", parse_bool),
            _opt("risk_to_others", parse_bool),
            _opt("risk_level", choice(RiskLevel)),
        ),
        key="client_ref", kind="client",
        example={"client_ref": "C0001", "first_name": "Sam", "last_name": "Example", "date_of_birth": "2003-05-17",
                 "gender": "male", "ethnicity": "white_british", "postcode": "AB1 2CD", "area": "Northside",
                 "care_experienced": "no", "parent_in_prison": "", "risk_to_others": "yes", "risk_level": "medium"},
    ),
    FileSpec(
        "referrals.csv",
        (
            _req("referral_ref", text(Referral, "referral_ref")),
            _req("client_ref", ref("client")),
            _req("programme", ref("programme")),
            _req("received_on", past_date),
            _req("source", code("source", "referral source")),
            _opt("referrer_name", text(Referral, "referrer_name")),
            _opt("referrer_organisation", text(Referral, "referrer_organisation")),
            _opt("decision", choice(Referral.Decision)),
            _opt("decided_on", past_date),
            _opt("reason", text(Referral, "decision_reason")),
        ),
        key="referral_ref", kind="referral",
        example={"referral_ref": "R0001", "client_ref": "C0001", "programme": "bridge", "received_on": "2024-05-02",
                 "source": "probation", "referrer_name": "Jo Officer", "referrer_organisation": "Probation Service",
                 "decision": "accepted", "decided_on": "2024-05-09", "reason": ""},
    ),
    FileSpec(
        "cases.csv",
        (
            _req("case_ref", text(Case, "case_ref")),
            _req("client_ref", ref("client")),
            _req("programme", ref("programme")),
            _opt("referral_ref", ref("referral")),
            _req("started_on", past_date),
            _opt("ended_on", past_date),
            _opt("closure_reason", code("closure_reason", "closure reason")),
            _opt("mentor_ref", ref("mentor")),
        ),
        key="case_ref", kind="case",
        example={"case_ref": "K0001", "client_ref": "C0001", "programme": "bridge", "referral_ref": "R0001",
                 "started_on": "2024-05-09", "ended_on": "", "closure_reason": "", "mentor_ref": "M001"},
    ),
    FileSpec(
        "contacts.csv",
        (
            _opt("contact_ref", text(Contact, "contact_ref")),
            _req("case_ref", ref("case")),
            _req("date", past_date),
            _opt("mentor_ref", ref("mentor")),
            _req("mode", choice(Mode)),
            _req("attendance", choice(Attendance)),
            _opt("duration_minutes", integer(1, 24 * 60)),
            _opt("location", choice(Location)),
            _opt("activities", codes("activity", "activity")),
            _opt("notes", text(Contact, "notes")),
        ),
        key="contact_ref",
        example={"contact_ref": "S00001", "case_ref": "K0001", "date": "2024-05-14", "mentor_ref": "M001", "mode": "face_to_face",
                 "attendance": "attended", "duration_minutes": "60", "location": "cafe",
                 "activities": "goal_setting;cv_building", "notes": "First meeting; talked about work."},
    ),
    FileSpec(
        "achievements.csv",
        (
            _opt("achievement_ref", text(Achievement, "achievement_ref")),
            _req("case_ref", ref("case")),
            _req("type", code("achievement_type", "achievement type")),
            _req("achieved_on", past_date),
            _opt("notes", text(Achievement, "notes")),
        ),
        key="achievement_ref",
        example={"achievement_ref": "A0001", "case_ref": "K0001", "type": "cscs_card", "achieved_on": "2024-07-01", "notes": "Passed first time."},
    ),
    FileSpec(
        "assessments.csv",
        (
            _req("case_ref", ref("case")),
            _req("template", code("template", "assessment template")),
            _req("assessed_on", past_date),
            _req("domain", text()),
            _req("score", integer()),
        ),
        example={"case_ref": "K0001", "template": "progress_wheel", "assessed_on": "2024-05-14",
                 "domain": "motivation", "score": "4"},
    ),
    FileSpec(
        "offences.csv",
        (
            _req("client_ref", ref("client")),
            _req("offence_date", past_date),
            _opt("conviction_date", past_date),
            _req("category", code("offence_category", "offence category")),
            _opt("description", text(Offence, "description")),
        ),
        example={"client_ref": "C0001", "offence_date": "2023-11-02", "conviction_date": "2024-01-15",
                 "category": "theft_from_person", "description": ""},
    ),
    FileSpec(
        "custody.csv",
        (
            _req("client_ref", ref("client")),
            _req("started_on", past_date),
            _opt("ended_on", past_date),
            _opt("reason", choice(CustodyPeriod.Reason)),
        ),
        example={"client_ref": "C0001", "started_on": "2023-01-10", "ended_on": "2024-04-20", "reason": "sentence"},
    ),
    FileSpec(
        "questionnaires.csv",
        (
            _req("case_ref", ref("case")),
            _req("completed_on", past_date),
            _req("question", code("question", "question")),
            _req("answer", rating_or_not_asked()),
        ),
        example={"case_ref": "K0001", "completed_on": "2025-02-01", "question": "would_recommend", "answer": "5"},
    ),
]

FILE_NAMES = [spec.name for spec in FILES]
SPECS = {spec.name: spec for spec in FILES}

TAXONOMIES = {
    "source": ReferralSource,
    "activity": Activity,
    "closure_reason": ClosureReason,
    "achievement_type": AchievementType,
    "offence_category": OffenceCategory,
    "question": Question,
}



def writes(name):
    """Register the decorated Importer method as the writer of the file `name`."""

    def register(method):
        SPECS[name].write = method
        return method

    return register


def template_csv(name):
    """A blank template of one import file: its header and an example row."""
    spec = SPECS[name]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(spec.column_names)
    writer.writerow([spec.example.get(column, "") for column in spec.column_names])
    return out.getvalue()
