"""The CSV import of docs/import.md: check every row of every file, then write it all in one go.

`run_import(directory)` reads the files of `FILES` from a directory, in that order. It works in
two streaming passes so a million contact rows fit in bounded memory:

1. **Check**: every row of every file is parsed and checked; only compact lookups are kept
   (ref -> id maps of the database, the sets of refs the files define, 8-byte hashes of the
   contact rows to find identical ones). Every problem is collected as a `Problem`
   (`file, row N, column: message`; the header is row 1, as a spreadsheet shows it).
2. **Write**: only when there is no problem at all, the files are read again and written in
   batches (`bulk_create` / `bulk_update`) inside one transaction. A dry run does the same
   writes and rolls them back, so its preview counts are exactly what the import would do.

Idempotency: rows with a `*_ref` (and programmes by code) update their record; for contacts
and achievements the ref is optional. Rows without a ref follow multiset semantics, among the
records without a ref: if the files hold the same row k times and the database n records with
that identity, max(0, k - n) are created (two identical contacts on one day are two real
contacts), so a corrected row without a ref is another record. Contacts carry a fingerprint of
their normalised row in `import_key`; a new ref first claims a ref-less record of the same
identity, so adding refs to rows already imported adds nothing.

Bounds: problems past MAX_PROBLEMS are counted, not kept; a header wider than MAX_COLUMNS is
one problem and its file is not read.
"""

import csv
import hashlib
import os
import re
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, reset_queries, transaction
from django.db.models import Count, F
from django.utils import timezone

from clients.models import Case, Client, ClosureReason, Ethnicity, Gender, RiskFlag, RiskLevel
from clients.names import folded_names
from contacts.models import Activity, Attendance, Contact, Location, Mode
from mentoring.models import Funder, Programme
from mentors.models import Allocation, Mentor
from outcomes.models import (
    Achievement,
    AchievementType,
    Answer,
    Assessment,
    AssessmentTemplate,
    CustodyPeriod,
    Offence,
    OffenceCategory,
    Question,
    Questionnaire,
    Score,
)
from referrals.models import Referral, ReferralSource

BATCH_SIZE = 5000  # rows written per bulk_create
MAX_PROBLEMS = 500  # problems listed; the rest are counted
IN_CHUNK = 2000  # values per `__in` lookup (well under SQLite's parameter limit)
PROGRESS_EVERY = 100_000


class _Invalid(Exception):
    """A cell's value is not acceptable; the message says why, in the user's words."""


INVALID = object()  # the parsed value of a cell that failed its check


def _ok(value):
    return value is not None and value is not INVALID


# ---- Problems and results -----------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self):
        return f"{self.file}, row {self.row}, {self.column}: {self.message}"


@dataclass
class FileResult:
    """What the import did (or, in a dry run, would do) with one file."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list = field(default_factory=list)

    def count(self, status):
        setattr(self, status, getattr(self, status) + 1)

    @property
    def line(self):
        text = f"{self.file}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.notes:
            text += f" ({'; '.join(self.notes)})"
        return text

    def as_dict(self):
        return {"file": self.file, "rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "line": self.line}


@dataclass
class ImportReport:
    """What an import found and did. `problems` lists the first MAX_PROBLEMS of them (a broken
    file can have millions); `problem_count` counts them all."""

    directory: str
    dry_run: bool
    problems: list = field(default_factory=list)
    results: list = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self):
        return not self.problem_count

    @property
    def more_problems(self):
        """How many problems there are beyond those listed."""
        return self.problem_count - len(self.problems)

    @property
    def lines(self):
        return [result.line for result in self.results]


# ---- Cell parsers -------------------------------------------------------------------------


BOOLEANS = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


def parse_date(value, _ctx=None):
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Invalid(f'"{value}" is not a date: use YYYY-MM-DD, e.g. 2024-03-31')


def past_date(value, ctx):
    """A date of something that has happened: not after the day of the import."""
    day = parse_date(value)
    if day > ctx.today:
        raise _Invalid(f"{value} is in the future: this date cannot be after today ({ctx.today.isoformat()})")
    return day


def parse_bool(value, _ctx=None):
    try:
        return BOOLEANS[value.lower()]
    except KeyError:
        raise _Invalid(f'"{value}" is not yes or no (use yes/no, true/false, 1/0 or y/n)') from None


def integer(minimum=None, maximum=None):
    def parse(value, _ctx=None):
        try:
            number = int(value)
        except ValueError:
            raise _Invalid(f'"{value}" is not a whole number') from None
        if minimum is not None and number < minimum or maximum is not None and number > maximum:
            if maximum is None:
                raise _Invalid(f"{number} is too small: the least allowed is {minimum}")
            raise _Invalid(f"{number} is out of range: use {minimum} to {maximum}")
        return number

    return parse


def _field(model, name):
    return model._meta.get_field(name)


def text(model=None, name=None):
    """Text for the model field `name`, checked against its max_length (a TextField has none)."""
    max_length = _field(model, name).max_length if model else None

    def parse(value, _ctx=None):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if max_length and len(value) > max_length:
            raise _Invalid(f"is {len(value)} characters long; at most {max_length} fit")
        return value

    parse.field = _field(model, name) if model else None
    parse.max_length = max_length
    return parse


def email(model, name):
    max_length = _field(model, name).max_length

    def parse(value, _ctx=None):
        if len(value) > max_length:
            raise _Invalid(f"is {len(value)} characters long; at most {max_length} fit")
        try:
            validate_email(value)
        except ValidationError:
            raise _Invalid(f'"{value}" is not an email address') from None
        return value

    parse.field = _field(model, name)
    parse.max_length = max_length
    return parse


def choice(choices):
    allowed = [str(c) for c in choices.values]

    def parse(value, _ctx=None):
        code = value.lower()
        if code not in allowed:
            raise _Invalid(f'"{value}" is not one of: {", ".join(allowed)}')
        return code

    return parse


def code(table, label):
    def parse(value, ctx):
        key = value.lower()
        if key not in ctx.codes[table]:
            raise _Invalid(f'unknown {label} code "{value}"')
        return key

    return parse


def codes(table, label):
    """A `;`-separated list of codes; returned sorted and without repeats."""

    def parse(value, ctx):
        found, unknown = set(), []
        for part in value.split(";"):
            key = part.strip().lower()
            if not key:
                continue
            if key in ctx.codes[table]:
                found.add(key)
            else:
                unknown.append(part.strip())
        if unknown:
            raise _Invalid(f"unknown {label} code{'s' if len(unknown) > 1 else ''} " + ", ".join(f'"{u}"' for u in unknown))
        return tuple(sorted(found))

    return parse


REF_SOURCES = {
    "programme": "programmes.csv",
    "mentor": "mentors.csv",
    "client": "clients.csv",
    "referral": "referrals.csv",
    "case": "cases.csv",
}


def ref(kind):
    """A reference to a row of an earlier file of this import or to a record in the database."""

    def parse(value, ctx):
        if value in ctx.in_files[kind] or value in ctx.db[kind]:
            return value
        raise _Invalid(f'"{value}" is not in {REF_SOURCES[kind]} nor in the database')

    return parse


def refs(kind):
    def parse(value, ctx):
        found, unknown = set(), []
        for part in value.split(";"):
            item = part.strip()
            if not item:
                continue
            if item in ctx.in_files[kind] or item in ctx.db[kind]:
                found.add(item)
            else:
                unknown.append(item)
        if unknown:
            raise _Invalid(", ".join(f'"{u}"' for u in unknown) + f" not in {REF_SOURCES[kind]} nor in the database")
        return tuple(sorted(found))

    return parse


# ---- The files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    parse: object
    required: bool = False


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple
    key: str = ""  # the column that identifies a record (unique within the file)
    kind: str = ""  # which ref kind the key defines
    example: dict = field(default_factory=dict)

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
        ),
        key="code", kind="programme",
        example={"code": "bridge", "name": "Bridge 18-25", "funder": "City Violence Reduction Unit",
                 "starts_on": "2024-04-01", "ends_on": "2026-03-31", "target_clients": "60",
                 "engagement_min_contacts": "2"},
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
            _req("answer", integer(1, 5)),
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


# ---- Reading ------------------------------------------------------------------------------


MAX_COLUMNS = 100  # far more than any file has: a wider header is not an import file
# Control characters have no place in a cell (tab and line breaks aside): a NUL cannot even be
# stored in PostgreSQL, and the others are debris of a broken export.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
NOT_UTF8 = "not valid UTF-8 text: save the file as \"CSV UTF-8\""


def _split_lines(handle):
    """The file's lines with their endings: LF, CRLF, or CR alone (old Mac files)."""
    for raw in handle:  # split at LF; a CR elsewhere than before it ends a line too
        cr = raw.count(b"\r")
        if not cr or cr == 1 and raw.endswith(b"\r\n"):
            yield raw
        else:
            yield from _LINE.findall(raw)


def _looks_like_utf16(start):
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    # Without its byte-order mark, ASCII in UTF-16 is every other byte NUL.
    return len(start) >= 4 and (start[1] == start[3] == 0 or start[0] == start[2] == 0)


class _Lines:
    """Decode a binary file line by line, noting lines that are not UTF-8 and lines holding
    control characters (a UTF-8 byte-order mark is dropped)."""

    def __init__(self, handle):
        self.handle = handle
        self.bad = False
        self.control = False
        self.encoding_guess = None  # set on the first line that is not UTF-8

    def __iter__(self):
        first = True
        for raw in _split_lines(self.handle):
            if first:
                first = False
                if raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad = True
                if self.encoding_guess is None:
                    self.encoding_guess = _guess_encoding(raw)
                line = raw.decode("utf-8", "replace")
            if CONTROL.search(line):
                self.control = True
            yield line


def _guess_encoding(raw):
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return "an unknown encoding"
    return "Windows-1252 or Latin-1"


def _control_message(cell):
    found = CONTROL.search(cell).group()
    return f"contains a control character (U+{ord(found):04X}) that cannot be imported: remove it"


def read_rows(path, spec, problem):
    """Yield (row number, {column: stripped cell}) for each non-blank row of a CSV file.

    Header problems (unknown, repeated or missing columns) are reported through `problem` and
    the readable columns are still checked row by row, so one typo does not hide the rest.
    A file that cannot be an import file (UTF-16, a header of thousands of columns) is one
    problem, and its rows are not read.
    """
    name = spec.name
    with open(path, "rb") as handle:
        if _looks_like_utf16(handle.read(4)):
            problem(name, 1, "-", "the file is not UTF-8 (it looks like UTF-16): save it as CSV UTF-8")
            return
        handle.seek(0)
        lines = _Lines(handle)
        reader = csv.reader(iter(lines))
        try:
            header = next(reader)
        except StopIteration:
            problem(name, 1, "-", "the file is empty: it needs a header row with the column names")
            return
        except csv.Error as exc:
            problem(name, 1, "-", f"the header row cannot be read: {exc}")
            return
        if len(header) > MAX_COLUMNS:
            problem(name, 1, "-", f"the header row has {len(header):,} columns; an import file has at most "
                                  f"{MAX_COLUMNS} (this file's columns are: {', '.join(spec.column_names)})")
            return
        if lines.bad:
            problem(name, 1, "-", NOT_UTF8)
        columns = []
        seen = set()
        for raw_name in header:
            column = raw_name.strip().lower()
            if not column:
                columns.append(None)
                continue
            if CONTROL.search(column):
                problem(name, 1, "-", f"a column name {_control_message(column)}")
                columns.append(None)
            elif column not in spec.column_names:
                problem(name, 1, raw_name.strip(), f"unknown column (this file's columns are: {', '.join(spec.column_names)})")
                columns.append(None)
            elif column in seen:
                problem(name, 1, column, "this column appears twice")
                columns.append(None)
            else:
                seen.add(column)
                columns.append(column)
        for column in spec.required:
            if column not in seen:
                problem(name, 1, column, "required column is missing")
        width = len(columns)
        row_number = 1
        guessed = lines.encoding_guess is not None
        while True:
            lines.bad = lines.control = False
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_number += 1
                problem(name, row_number, "-", f"this row cannot be read: {exc}")
                continue
            row_number += 1
            if not any(cell.strip() for cell in cells):
                continue
            if lines.bad:
                if not guessed:
                    guessed = True
                    problem(name, 1, "-", f"the file is not UTF-8 (it looks like {lines.encoding_guess}): save it as CSV UTF-8")
                bad_columns = [columns[i] or f"column {i + 1}" for i, cell in enumerate(cells[:width]) if "\ufffd" in cell]
                problem(name, row_number, ", ".join(bad_columns) or "-", NOT_UTF8)
            if lines.control:
                for i, cell in enumerate(cells[:width]):
                    if CONTROL.search(cell):
                        problem(name, row_number, columns[i] or f"column {i + 1}", _control_message(cell))
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                problem(name, row_number, "-", f"this row has {len(cells):,} cells but the header names {width} columns")
            row = {}
            for position, column in enumerate(columns):
                if column is None:
                    continue
                row[column] = cells[position].strip() if position < len(cells) else ""
            yield row_number, row


# ---- The import ---------------------------------------------------------------------------


@dataclass
class _Template:
    id: int
    scale_min: int
    scale_max: int
    domains: dict


def stored_duration(row):
    """A session that did not happen lasted no time: a duration on a did-not-attend or
    cancelled row is not stored (the fingerprint still reads the row as written, so a file
    imported before this rule imports again unchanged)."""
    return row.get("duration_minutes") if row["attendance"] == "attended" else None


def contact_key(row):
    """Fingerprint of a normalised contact row (stored in Contact.import_key)."""
    parts = (
        row["case_ref"],
        row["date"].isoformat(),
        row.get("mentor_ref") or "",
        row["mode"],
        row["attendance"],
        str(row.get("duration_minutes") or ""),
        row.get("location") or "",
        ";".join(row.get("activities") or ()),
        row.get("notes") or "",
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _short_hash(key):
    return int(key[:16], 16)


def _chunks(items, size=IN_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def find_files(directory):
    """The import files present in a directory, in import order; any unknown .csv files; and
    the names given more than once in different capitals (`contacts.csv` and `Contacts.csv`)."""
    present = defaultdict(list)
    for entry in sorted(os.listdir(directory)):
        present[entry.lower()].append(entry)
    found = [(name, os.path.join(directory, present[name][0])) for name in FILE_NAMES if len(present.get(name, ())) == 1]
    unknown = sorted(entries[0] for key, entries in present.items()
                     if key.endswith(".csv") and key not in SPECS and len(entries) == 1)
    clashes = [entries for key, entries in sorted(present.items()) if key.endswith(".csv") and len(entries) > 1]
    return found, unknown, clashes


def run_import(directory, *, dry_run=False, progress=None):
    """Check, then (if all is well) import the files of `directory`; returns an ImportReport."""
    return Importer(directory, dry_run=dry_run, progress=progress).run()


class Importer:
    def __init__(self, directory, *, dry_run=False, progress=None):
        self.directory = directory
        self.dry_run = dry_run
        self.progress = progress or (lambda message: None)
        self.report = ImportReport(directory=str(directory), dry_run=dry_run)
        self.in_files = {kind: set() for kind in REF_SOURCES}
        self.contact_duplicates = set()  # short hashes of contact rows that occur more than once
        self.now = timezone.now()
        self.today = timezone.localdate()

    # -- problems

    def problem(self, file, row, column, message):
        self.report.problem_count += 1
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(Problem(file, row, column, message))

    def _ignore(self, *args):
        pass

    # -- lookups

    def _load_lookups(self):
        self.codes = {
            table: {c.lower(): pk for c, pk in model.objects.values_list("code", "pk")}
            for table, model in TAXONOMIES.items()
        }
        self.templates = {}
        for template in AssessmentTemplate.objects.prefetch_related("domains"):
            self.templates[template.code.lower()] = _Template(
                template.pk, template.scale_min, template.scale_max,
                {d.code.lower(): d.pk for d in template.domains.all()},
            )
        self.codes["template"] = {c: t.id for c, t in self.templates.items()}
        self.db = {
            "programme": dict(Programme.objects.values_list("code", "pk")),
            "mentor": dict(Mentor.objects.exclude(mentor_ref=None).values_list("mentor_ref", "pk")),
            "client": dict(Client.objects.exclude(client_ref=None).values_list("client_ref", "pk")),
            "referral": dict(Referral.objects.exclude(referral_ref=None).values_list("referral_ref", "pk")),
            "case": dict(Case.objects.exclude(case_ref=None).values_list("case_ref", "pk")),
        }

    # -- running

    def run(self):
        try:
            files, unknown, clashes = find_files(self.directory)
        except OSError as exc:
            self.problem(str(self.directory), 1, "-", f"cannot read the folder: {exc.strerror}")
            return self.report
        for name in unknown:
            self.problem(name, 1, "-", f"not a file this import knows (expected: {', '.join(FILE_NAMES)})")
        for entries in clashes:
            self.problem(" and ".join(entries), 1, "-", "these files have one name, written in different capitals, and "
                         "the import cannot tell which to read: keep one")
        with transaction.atomic():
            self._load_lookups()
            for name, path in files:
                self._check(SPECS[name], path)
            if self.report.problem_count:
                return self.report
            for name, path in files:
                result = FileResult(name)
                getattr(self, "_write_" + name.removesuffix(".csv"))(SPECS[name], path, result)
                self.report.results.append(result)
            if self.dry_run:
                transaction.set_rollback(True)
        return self.report

    def _rows(self, spec, path, *, checking):
        """Parsed rows: (row number, {column: value}); cells that fail are INVALID."""
        problem = self.problem if checking else self._ignore
        count = 0
        for row_number, cells in read_rows(path, spec, problem):
            parsed = {}
            for column in spec.columns:
                if column.name not in cells:
                    continue
                raw = cells[column.name]
                if raw == "":
                    if column.required:
                        problem(spec.name, row_number, column.name, "is required")
                        parsed[column.name] = INVALID
                    else:
                        parsed[column.name] = None
                    continue
                try:
                    parsed[column.name] = column.parse(raw, self)
                except _Invalid as exc:
                    problem(spec.name, row_number, column.name, str(exc))
                    parsed[column.name] = INVALID
            count += 1
            if count % PROGRESS_EVERY == 0:
                self.progress(f"{spec.name}: {count:,} rows {'checked' if checking else 'written'}")
            yield row_number, parsed

    def _batches(self, spec, path):
        batch = []
        for item in self._rows(spec, path, checking=False):
            batch.append(item[1])
            if len(batch) >= BATCH_SIZE:
                yield batch
                batch = []
                reset_queries()
        if batch:
            yield batch

    # -- pass 1: check

    def _check(self, spec, path):
        first_row = {}
        hashes = array("Q")
        groups = {}  # assessments/questionnaires: the (group, item) pairs seen
        linked_referrals = {}
        for row_number, row in self._rows(spec, path, checking=True):
            if spec.key and _ok(row.get(spec.key)):
                value = row[spec.key]
                if value in first_row:
                    self.problem(spec.name, row_number, spec.key, f'"{value}" is repeated (first on row {first_row[value]})')
                else:
                    first_row[value] = row_number
                    if spec.kind:
                        self.in_files[spec.kind].add(value)
            if spec.name == "cases.csv":
                self._check_case(spec, row_number, row, linked_referrals)
            elif spec.name == "contacts.csv":
                # Only rows without a ref follow the multiset rule, so only they are counted.
                if not row.get("contact_ref") and all(_ok(row.get(c)) for c in ("case_ref", "date", "mode", "attendance")) and all(
                    row.get(c) is not INVALID for c in row
                ):
                    hashes.append(_short_hash(contact_key(row)))
            elif spec.name == "assessments.csv":
                self._check_assessment(spec, row_number, row, groups)
            elif spec.name == "questionnaires.csv":
                key = (row.get("case_ref"), row.get("completed_on"), row.get("question"))
                if all(_ok(v) for v in key):
                    if key in groups:
                        self.problem(spec.name, row_number, "question",
                                     f"this question is already answered on row {groups[key]} of the same questionnaire")
                    else:
                        groups[key] = row_number
            self._check_dates(spec, row_number, row)
        if hashes:
            ordered = sorted(hashes)
            del hashes
            self.contact_duplicates = {a for a, b in zip(ordered, ordered[1:], strict=False) if a == b}

    def _check_dates(self, spec, row_number, row):
        for start, end in (("starts_on", "ends_on"), ("started_on", "ended_on"), ("offence_date", "conviction_date")):
            if _ok(row.get(start)) and _ok(row.get(end)) and row[end] < row[start]:
                self.problem(spec.name, row_number, end, f"{row[end].isoformat()} is before {start} ({row[start].isoformat()})")

    def _check_case(self, spec, row_number, row, linked_referrals):
        referral = row.get("referral_ref")
        if _ok(referral):
            if referral in linked_referrals:
                self.problem(spec.name, row_number, "referral_ref",
                             f'referral "{referral}" already opened the case on row {linked_referrals[referral]}')
            else:
                linked_referrals[referral] = row_number

    def _check_assessment(self, spec, row_number, row, groups):
        template_code = row.get("template")
        if not _ok(template_code):
            return
        template = self.templates[template_code]
        domain = row.get("domain")
        if _ok(domain):
            domain = domain.lower()
            if domain not in template.domains:
                self.problem(spec.name, row_number, "domain",
                             f'unknown domain "{row["domain"]}" for template {template_code} '
                             f"(its domains are: {', '.join(template.domains)})")
                domain = INVALID
            else:
                row["domain"] = domain
        score = row.get("score")
        if _ok(score) and not template.scale_min <= score <= template.scale_max:
            self.problem(spec.name, row_number, "score",
                         f"{score} is out of range: {template_code} scores run from {template.scale_min} to {template.scale_max}")
        key = (row.get("case_ref"), template_code, row.get("assessed_on"), domain)
        if all(_ok(v) for v in key):
            if key in groups:
                self.problem(spec.name, row_number, "domain",
                             f"this domain is already scored on row {groups[key]} of the same assessment")
            else:
                groups[key] = row_number

    # -- pass 2: write, helpers

    def _sync_keyed(self, result, model, key_field, kind, batch, values, after=None):
        """Create or update one record per row, found by its ref; counts go into `result`."""
        keys = [row[key_field] for row in batch]
        existing = {}
        for chunk in _chunks(keys):
            existing.update((getattr(o, key_field), o) for o in model.objects.filter(**{f"{key_field}__in": chunk}))
        created, changed, fields, status, objects = [], [], set(), {}, {}
        for row in batch:
            key = row[key_field]
            obj = existing.get(key)
            wanted = values(row, obj)
            if obj is None:
                obj = model(**{key_field: key}, **wanted)
                created.append(obj)
                status[key] = "created"
            else:
                diff = [name for name, value in wanted.items() if getattr(obj, name) != value]
                for name in diff:
                    setattr(obj, name, wanted[name])
                if diff:
                    changed.append(obj)
                    fields.update(diff)
                status[key] = "updated" if diff else "unchanged"
            objects[key] = obj
        model.objects.bulk_create(created, batch_size=1000)
        if any(obj.pk is None for obj in created):  # a backend that cannot return ids
            ids = {}
            for chunk in _chunks([getattr(o, key_field) for o in created]):
                ids.update(model.objects.filter(**{f"{key_field}__in": chunk}).values_list(key_field, "pk"))
            for obj in created:
                obj.pk = ids[getattr(obj, key_field)]
        self._bulk_update(model, changed, fields)
        if after:
            after(batch, objects, status)
        for key, obj in objects.items():
            self.db[kind][key] = obj.pk
            result.count(status[key])

    @staticmethod
    def _mark_updated(status, key):
        if status[key] == "unchanged":
            status[key] = "updated"

    def _sync_multiset(self, result, model, owner_field, rows, identity_fields, value_fields, *, ref_field=None):
        """Rows without a ref: pair the k-th file row of an identity with the k-th record
        (of those without a ref, when the model has one: a ref'd record answers to its ref)."""
        wanted = defaultdict(list)
        for row in rows:
            wanted[tuple(row[f] for f in identity_fields)].append({f: row[f] for f in value_fields if f in row})
        owners = {identity[0] for identity in wanted}
        existing = defaultdict(list)
        unreffed = {f"{ref_field}__isnull": True} if ref_field else {}
        for chunk in _chunks(owners):
            for obj in model.objects.filter(**{f"{owner_field}__in": chunk}, **unreffed).order_by("pk"):
                existing[tuple(getattr(obj, f) for f in identity_fields)].append(obj)
        created, changed, fields = [], [], set()
        for identity, value_list in wanted.items():
            have = existing.get(identity, [])
            for position, values in enumerate(value_list):
                if position < len(have):
                    obj = have[position]
                    diff = [name for name, value in values.items() if getattr(obj, name) != value]
                    for name in diff:
                        setattr(obj, name, values[name])
                    if diff:
                        changed.append(obj)
                        fields.update(diff)
                        result.count("updated")
                    else:
                        result.count("unchanged")
                else:
                    created.append(model(**dict(zip(identity_fields, identity, strict=True)), **values))
                    result.count("created")
        model.objects.bulk_create(created, batch_size=1000)
        self._bulk_update(model, changed, fields)

    def _all_rows(self, spec, path, result):
        rows = []
        for _, row in self._rows(spec, path, checking=False):
            rows.append(row)
        result.rows = len(rows)
        return rows

    # -- pass 2: one writer per file

    def _write_programmes(self, spec, path, result):
        funders = {}

        def funder_id(name):
            if not name:
                return None
            if name not in funders:
                funders[name] = Funder.objects.get_or_create(name=name)[0].pk
            return funders[name]

        def values(row, obj):
            wanted = {"name": row["name"]}
            if "funder" in row:
                wanted["funder_id"] = funder_id(row["funder"])
            for name in ("starts_on", "ends_on", "target_clients"):
                if name in row:
                    wanted[name] = row[name]
            if "engagement_min_contacts" in row:
                wanted["engagement_min_contacts"] = row["engagement_min_contacts"] or 2
            return wanted

        for batch in self._batches(spec, path):
            result.rows += len(batch)
            self._sync_keyed(result, Programme, "code", "programme", batch, values)

    def _write_mentors(self, spec, path, result):
        def values(row, obj):
            wanted = {"first_name": row["first_name"], "last_name": row["last_name"], "mentor_type": row["mentor_type"]}
            if "email" in row:
                wanted["email"] = row["email"] or ""
            return wanted

        through = Mentor.programmes.through

        def after(batch, objects, status):
            # A blank list means "not known": the mentor's programmes stay as they are.
            rows = [row for row in batch if row.get("programmes")]
            if not rows:
                return
            ids = [objects[row["mentor_ref"]].pk for row in rows]
            current = defaultdict(set)
            for chunk in _chunks(ids):
                for mentor_id, programme_id in through.objects.filter(mentor_id__in=chunk).values_list("mentor_id", "programme_id"):
                    current[mentor_id].add(programme_id)
            add, remove = [], []
            for row in rows:
                mentor_id = objects[row["mentor_ref"]].pk
                wanted = {self.db["programme"][code] for code in row["programmes"]}
                have = current[mentor_id]
                add += [through(mentor_id=mentor_id, programme_id=p) for p in wanted - have]
                remove += [(mentor_id, p) for p in have - wanted]
                if wanted != have:
                    self._mark_updated(status, row["mentor_ref"])
            through.objects.bulk_create(add)
            for mentor_id, programme_id in remove:
                through.objects.filter(mentor_id=mentor_id, programme_id=programme_id).delete()

        for batch in self._batches(spec, path):
            result.rows += len(batch)
            self._sync_keyed(result, Mentor, "mentor_ref", "mentor", batch, values, after)

    def _write_clients(self, spec, path, result):
        def values(row, obj):
            wanted = {"first_name": row["first_name"], "last_name": row["last_name"], "date_of_birth": row["date_of_birth"]}
            if "gender" in row:
                wanted["gender"] = row["gender"] or Gender.NOT_KNOWN
            for name in ("ethnicity", "postcode", "area", "risk_level"):
                if name in row:
                    wanted[name] = row[name] or ""
            for name in ("care_experienced", "parent_in_prison"):
                if name in row:
                    wanted[name] = row[name]
            # Bulk writes skip Client.save(): the folded names search and the duplicate check use.
            wanted.update(folded_names(row["first_name"], row["last_name"], obj.preferred_name if obj else ""))
            return wanted

        def after(batch, objects, status):
            rows = [row for row in batch if row.get("risk_to_others") is not None]
            if not rows:
                return
            ids = [objects[row["client_ref"]].pk for row in rows]
            flags = {}
            for chunk in _chunks(ids):
                flags.update(
                    (flag.client_id, flag)
                    for flag in RiskFlag.objects.filter(client_id__in=chunk, kind=RiskFlag.Kind.TO_OTHERS, active=True)
                )
            new, changed = [], []
            for row in rows:
                client = objects[row["client_ref"]]
                flag = flags.get(client.pk)
                if row["risk_to_others"]:
                    level = row.get("risk_level") or (flag.level if flag and "risk_level" not in row else RiskLevel.MEDIUM)
                    if flag is None:
                        new.append(RiskFlag(client_id=client.pk, kind=RiskFlag.Kind.TO_OTHERS, level=level,
                                            raised_on=timezone.localdate()))
                    elif flag.level != level:
                        flag.level = level
                        changed.append(flag)
                    else:
                        continue
                elif flag is not None:
                    flag.active = False
                    changed.append(flag)
                else:
                    continue
                self._mark_updated(status, row["client_ref"])
            RiskFlag.objects.bulk_create(new)
            RiskFlag.objects.bulk_update(changed, ["level", "active"])

        for batch in self._batches(spec, path):
            result.rows += len(batch)
            self._sync_keyed(result, Client, "client_ref", "client", batch, values, after)

    def _write_referrals(self, spec, path, result):
        def values(row, obj):
            wanted = {
                "client_id": self.db["client"][row["client_ref"]],
                "programme_id": self.db["programme"][row["programme"]],
                "received_on": row["received_on"],
                "source_id": self.codes["source"][row["source"]],
            }
            for name in ("referrer_name", "referrer_organisation"):
                if name in row:
                    wanted[name] = row[name] or ""
            if "decision" in row:
                wanted["decision"] = row["decision"] or Referral.Decision.PENDING
            if "decided_on" in row:
                wanted["decided_on"] = row["decided_on"]
            if "reason" in row:
                wanted["decision_reason"] = row["reason"] or ""
            return wanted

        for batch in self._batches(spec, path):
            result.rows += len(batch)
            self._sync_keyed(result, Referral, "referral_ref", "referral", batch, values)

    def _write_cases(self, spec, path, result):
        Status = Case.Status

        def values(row, obj):
            wanted = {
                "client_id": self.db["client"][row["client_ref"]],
                "programme_id": self.db["programme"][row["programme"]],
                "started_on": row["started_on"],
            }
            if "ended_on" in row:
                wanted["ended_on"] = row["ended_on"]
            if "closure_reason" in row:
                reason = row["closure_reason"]
                wanted["closure_reason_id"] = self.codes["closure_reason"][reason] if reason else None
            ended = wanted["ended_on"] if "ended_on" in wanted else (obj.ended_on if obj else None)
            if ended:
                status = Status.CLOSED
            elif "mentor_ref" in row:
                status = Status.ACTIVE if row["mentor_ref"] else Status.TO_ALLOCATE
            else:
                status = obj.status if obj and obj.status != Status.CLOSED else Status.TO_ALLOCATE
            if obj is not None and obj.status == Status.PAUSED and status == Status.ACTIVE:
                status = Status.PAUSED  # the file knows nothing of a pause recorded here
            wanted["status"] = status
            return wanted

        def after(batch, objects, status):
            self._link_referrals(batch, objects, status)
            self._lead_allocations(batch, objects, status)

        for batch in self._batches(spec, path):
            result.rows += len(batch)
            self._sync_keyed(result, Case, "case_ref", "case", batch, values, after)

    def _link_referrals(self, batch, objects, status):
        links = {self.db["referral"][row["referral_ref"]]: row["case_ref"] for row in batch if row.get("referral_ref")}
        if not links:
            return
        current = {}
        for chunk in _chunks(links):
            current.update(Referral.objects.filter(pk__in=chunk).values_list("pk", "case_id"))
        for referral_id, case_ref in links.items():
            case_id = objects[case_ref].pk
            if current.get(referral_id) == case_id:
                continue
            # One referral per case: whichever referral pointed at this case lets go of it.
            Referral.objects.filter(case_id=case_id).exclude(pk=referral_id).update(case=None)
            Referral.objects.filter(pk=referral_id).update(case_id=case_id)
            self._mark_updated(status, case_ref)

    def _lead_allocations(self, batch, objects, status):
        rows = [row for row in batch if row.get("mentor_ref")]
        if not rows:
            return
        leads = defaultdict(list)
        for chunk in _chunks([objects[row["case_ref"]].pk for row in rows]):
            for allocation in Allocation.objects.filter(case_id__in=chunk, role=Allocation.Role.LEAD).order_by("-started_on", "-pk"):
                leads[allocation.case_id].append(allocation)
        new, changed = [], []
        for row in rows:
            case = objects[row["case_ref"]]
            mentor_id = self.db["mentor"][row["mentor_ref"]]
            wanted = {"mentor_id": mentor_id, "started_on": case.started_on, "ended_on": case.ended_on}
            existing = leads.get(case.pk, [])
            allocation = next((a for a in existing if a.mentor_id == mentor_id), existing[0] if existing else None)
            if allocation is None:
                new.append(Allocation(case_id=case.pk, role=Allocation.Role.LEAD, **wanted))
            else:
                diff = [name for name, value in wanted.items() if getattr(allocation, name) != value]
                if not diff:
                    continue
                for name in diff:
                    setattr(allocation, name, wanted[name])
                changed.append(allocation)
            self._mark_updated(status, row["case_ref"])
        Allocation.objects.bulk_create(new)
        Allocation.objects.bulk_update(changed, ["mentor_id", "started_on", "ended_on"])

    def _write_contacts(self, spec, path, result):
        writer = _ContactWriter(self)
        seen_duplicates = {}  # key -> [occurrences so far, records before the import]
        for batch in self._batches(spec, path):
            result.rows += len(batch)
            self._write_contacts_by_ref([row for row in batch if row.get("contact_ref")], writer, result)
            batch = [row for row in batch if not row.get("contact_ref")]
            keys = [contact_key(row) for row in batch]
            unknown = {k for k in keys if k not in seen_duplicates}
            before = {}
            for chunk in _chunks(unknown):
                # Rows without a ref pair with records without one: a ref'd record answers to its ref.
                before.update(
                    Contact.objects.filter(import_key__in=chunk, contact_ref__isnull=True)
                    .values("import_key").annotate(n=Count("pk")).values_list("import_key", "n")
                )
            local = {}
            new_rows = []
            for row, key in zip(batch, keys, strict=True):
                state = seen_duplicates.get(key) or local.get(key)
                if state is None:
                    state = [0, before.get(key, 0)]
                    if _short_hash(key) in self.contact_duplicates:
                        seen_duplicates[key] = state
                    else:
                        local[key] = state
                state[0] += 1
                if state[0] <= state[1]:
                    result.count("unchanged")
                    continue
                result.count("created")
                new_rows.append((row, key))
            writer.write(new_rows)
            reset_queries()  # DEBUG keeps every query; a million rows must not

    def _write_contacts_by_ref(self, rows, writer, result):
        """Rows with a contact_ref: create, or update the contact with that ref.

        A ref not yet held first claims a contact without one that the same row made before
        (same fingerprint), so adding refs to a file already imported adds no contact.
        """
        if not rows:
            return
        keys = {row["contact_ref"]: contact_key(row) for row in rows}
        existing = {}
        for chunk in _chunks(keys):
            existing.update((c.contact_ref, c) for c in Contact.objects.filter(contact_ref__in=chunk))
        unclaimed = defaultdict(list)
        for chunk in _chunks({key for ref, key in keys.items() if ref not in existing}):
            for contact in Contact.objects.filter(import_key__in=chunk, contact_ref__isnull=True).order_by("pk"):
                unclaimed[contact.import_key].append(contact)
        through = Contact.activities.through
        links = defaultdict(set)
        for chunk in _chunks([c.pk for c in existing.values()]):
            for contact_id, activity_id in through.objects.filter(contact_id__in=chunk).values_list("contact_id", "activity_id"):
                links[contact_id].add(activity_id)
        activity_ids = self.codes["activity"]
        new_rows, changed, fields, relink = [], [], {"contact_ref", "import_key"}, {}
        for row in rows:
            ref, key = row["contact_ref"], keys[row["contact_ref"]]
            contact = existing.get(ref)
            if contact is None and unclaimed.get(key):
                contact = unclaimed[key].pop(0)  # its values are the row's: the fingerprint says so
                contact.contact_ref = ref
                changed.append(contact)
                result.count("updated")
                continue
            if contact is None:
                new_rows.append((row, key))
                result.count("created")
                continue
            wanted = {"case_id": self.db["case"][row["case_ref"]], "date": row["date"], "mode": row["mode"],
                      "attendance": row["attendance"], "import_key": key}
            if "mentor_ref" in row:
                wanted["mentor_id"] = self.db["mentor"][row["mentor_ref"]] if row["mentor_ref"] else None
            if "duration_minutes" in row or row["attendance"] != "attended":
                wanted["duration_minutes"] = stored_duration(row)
            for name in ("location", "notes"):
                if name in row:
                    wanted[name] = row[name] or ""
            diff = [name for name, value in wanted.items() if getattr(contact, name) != value]
            for name in diff:
                setattr(contact, name, wanted[name])
            new_links = {activity_ids[c] for c in row.get("activities") or ()} if "activities" in row else None
            if new_links is not None and new_links != links[contact.pk]:
                relink[contact.pk] = new_links
            if diff or contact.pk in relink:
                changed.append(contact)
                fields.update(diff)
                result.count("updated")
            else:
                result.count("unchanged")
        writer.write(new_rows)
        self._bulk_update(Contact, changed, fields)
        if relink:
            through.objects.filter(contact_id__in=list(relink)).delete()
            through.objects.bulk_create(
                [through(contact_id=contact_id, activity_id=a) for contact_id, ids in relink.items() for a in ids], batch_size=5000
            )

    def _bulk_update(self, model, objects, fields):
        """Write `fields` of changed records; also stamp updated_at and bump an optimistic-lock
        version, so an edit form opened before the import refuses to overwrite what it wrote."""
        if not objects:
            return
        names = {f.name for f in model._meta.concrete_fields}
        fields = set(fields) - {"version"}
        if "updated_at" in names:
            for obj in objects:
                obj.updated_at = self.now
            fields.add("updated_at")
        bump = "version" in names
        if connection.vendor == "postgresql":
            _update_from_values(model, objects, sorted(fields), bump=bump)
            return
        if bump:
            for obj in objects:
                obj.version = F("version") + 1
            fields.add("version")
        model.objects.bulk_update(objects, sorted(fields), batch_size=1000)

    def _write_achievements(self, spec, path, result):
        rows, by_ref = [], []
        for row in self._all_rows(spec, path, result):
            item = {"case_id": self.db["case"][row["case_ref"]], "type_id": self.codes["achievement_type"][row["type"]],
                    "achieved_on": row["achieved_on"]}
            if "notes" in row:
                item["notes"] = row["notes"] or ""
            if row.get("achievement_ref"):
                by_ref.append((row["achievement_ref"], item))
            else:
                rows.append(item)
        self._sync_by_ref(result, Achievement, "achievement_ref", by_ref, ("case_id", "type_id", "achieved_on"))
        self._sync_multiset(result, Achievement, "case_id", rows, ("case_id", "type_id", "achieved_on"), ("notes",),
                            ref_field="achievement_ref")

    def _sync_by_ref(self, result, model, ref_field, items, identity_fields):
        """Rows with a ref: create, or update the record with that ref. A ref not yet held first
        claims a record without one of the same identity, made by the same row before it had a ref."""
        if not items:
            return
        existing = {}
        for chunk in _chunks([ref for ref, _ in items]):
            existing.update((getattr(o, ref_field), o) for o in model.objects.filter(**{f"{ref_field}__in": chunk}))
        unclaimed = defaultdict(list)
        owners = {item[identity_fields[0]] for ref, item in items if ref not in existing}
        for chunk in _chunks(owners):
            for obj in model.objects.filter(**{f"{identity_fields[0]}__in": chunk, f"{ref_field}__isnull": True}).order_by("pk"):
                unclaimed[tuple(getattr(obj, f) for f in identity_fields)].append(obj)
        created, changed, fields = [], [], set()
        for ref, item in items:
            obj = existing.get(ref)
            if obj is None:
                candidates = unclaimed.get(tuple(item[f] for f in identity_fields))
                if not candidates:
                    created.append(model(**{ref_field: ref}, **item))
                    result.count("created")
                    continue
                obj = candidates.pop(0)
                setattr(obj, ref_field, ref)
                fields.add(ref_field)
                diff = [ref_field]
            else:
                diff = []
            diff += [name for name, value in item.items() if getattr(obj, name) != value]
            for name in diff:
                if name != ref_field:
                    setattr(obj, name, item[name])
            if diff:
                changed.append(obj)
                fields.update(diff)
                result.count("updated")
            else:
                result.count("unchanged")
        model.objects.bulk_create(created, batch_size=1000)
        self._bulk_update(model, changed, fields)

    def _write_offences(self, spec, path, result):
        rows = []
        for row in self._all_rows(spec, path, result):
            item = {"client_id": self.db["client"][row["client_ref"]], "offence_date": row["offence_date"],
                    "category_id": self.codes["offence_category"][row["category"]]}
            if "conviction_date" in row:
                item["conviction_date"] = row["conviction_date"]
            if "description" in row:
                item["description"] = row["description"] or ""
            rows.append(item)
        self._sync_multiset(result, Offence, "client_id", rows, ("client_id", "offence_date", "category_id"),
                            ("conviction_date", "description"))

    def _write_custody(self, spec, path, result):
        rows = []
        for row in self._all_rows(spec, path, result):
            item = {"client_id": self.db["client"][row["client_ref"]], "started_on": row["started_on"]}
            if "ended_on" in row:
                item["ended_on"] = row["ended_on"]
            if "reason" in row:
                item["reason"] = row["reason"] or ""
            rows.append(item)
        self._sync_multiset(result, CustodyPeriod, "client_id", rows, ("client_id", "started_on"), ("ended_on", "reason"))

    def _write_assessments(self, spec, path, result):
        groups = defaultdict(dict)  # (case_id, template_id, assessed_on) -> {domain_id: score}
        for row in self._all_rows(spec, path, result):
            template = self.templates[row["template"]]
            groups[(self.db["case"][row["case_ref"]], template.id, row["assessed_on"])][template.domains[row["domain"].lower()]] = row["score"]
        existing, first_dates = {}, {}
        for chunk in _chunks({case_id for case_id, _, _ in groups}):
            for assessment in Assessment.objects.filter(case_id__in=chunk):
                existing[(assessment.case_id, assessment.template_id, assessment.assessed_on)] = assessment
        for case_id, template_id, day in list(existing) + list(groups):
            pair = (case_id, template_id)
            first_dates[pair] = min(day, first_dates.get(pair, day))
        new = []
        for identity in groups:
            if identity not in existing:
                case_id, template_id, day = identity
                stage = Assessment.Stage.INITIAL if day == first_dates[(case_id, template_id)] else Assessment.Stage.REVIEW
                assessment = Assessment(case_id=case_id, template_id=template_id, assessed_on=day, stage=stage)
                new.append(assessment)
                existing[identity] = assessment
        Assessment.objects.bulk_create(new, batch_size=1000)
        if new:
            result.notes.append(f"{len(new)} assessment{'s' if len(new) != 1 else ''} created")
        self._sync_items(result, Score, "assessment_id", "domain_id", "score",
                         {existing[identity].pk: items for identity, items in groups.items()})

    def _write_questionnaires(self, spec, path, result):
        groups = defaultdict(dict)  # (case_id, completed_on) -> {question_id: answer}
        for row in self._all_rows(spec, path, result):
            groups[(self.db["case"][row["case_ref"]], row["completed_on"])][self.codes["question"][row["question"]]] = row["answer"]
        existing = {}
        for chunk in _chunks({case_id for case_id, _ in groups}):
            for questionnaire in Questionnaire.objects.filter(case_id__in=chunk):
                existing[(questionnaire.case_id, questionnaire.completed_on)] = questionnaire
        new = []
        for identity in groups:
            if identity not in existing:
                questionnaire = Questionnaire(case_id=identity[0], completed_on=identity[1])
                new.append(questionnaire)
                existing[identity] = questionnaire
        Questionnaire.objects.bulk_create(new, batch_size=1000)
        if new:
            result.notes.append(f"{len(new)} questionnaire{'s' if len(new) != 1 else ''} created")
        self._sync_items(result, Answer, "questionnaire_id", "question_id", "answer",
                         {existing[identity].pk: items for identity, items in groups.items()})

    def _sync_items(self, result, model, parent_field, item_field, value_field, wanted):
        """Scores of assessments, answers of questionnaires: one per (parent, item), updated."""
        have = {}
        for chunk in _chunks(wanted):
            for obj in model.objects.filter(**{f"{parent_field}__in": chunk}):
                have[(getattr(obj, parent_field), getattr(obj, item_field))] = obj
        new, changed = [], []
        for parent_id, items in wanted.items():
            for item_id, value in items.items():
                obj = have.get((parent_id, item_id))
                if obj is None:
                    new.append(model(**{parent_field: parent_id, item_field: item_id, value_field: value}))
                    result.count("created")
                elif getattr(obj, value_field) != value:
                    setattr(obj, value_field, value)
                    changed.append(obj)
                    result.count("updated")
                else:
                    result.count("unchanged")
        model.objects.bulk_create(new, batch_size=1000)
        model.objects.bulk_update(changed, [value_field], batch_size=1000)


def _update_from_values(model, objects, fields, *, bump):
    """PostgreSQL's UPDATE ... FROM (VALUES ...): one statement per thousand records.

    Django's bulk_update builds a CASE of a thousand WHENs per column, which costs minutes of
    Python for a few hundred thousand contacts (adding refs to a whole set updates every one).
    """
    quote = connection.ops.quote_name
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    table = quote(meta.db_table)
    assignments = [f"{quote(f.column)} = v.{quote(f.column)}" for f in columns]
    if bump:
        assignments.append(f"{quote('version')} = t.{quote('version')} + 1")
    names = ", ".join(quote(f.column) for f in [pk, *columns])
    # Each value cast to its column's type: VALUES alone would guess text (or fail on NULLs).
    row_sql = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in [pk, *columns]) + ")"
    # Table and column names come from the model, quoted; every value is a query parameter.
    head = f"UPDATE {table} AS t SET {', '.join(assignments)} FROM (VALUES "  # noqa: S608
    tail = f") AS v({names}) WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    connection.ensure_connection()
    with connection.make_cursor(connection.create_cursor()) as cursor:  # no query log
        for start in range(0, len(objects), 1000):
            chunk = objects[start:start + 1000]
            params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in [pk, *columns]]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)


class _ContactWriter:
    """Insert contacts and their activities fast: multi-row INSERT ... RETURNING id.

    Building a million model instances and letting bulk_create compile them costs most of the
    import's time; this writes the same columns (every concrete field, with the model's own
    defaults for those the file does not fill) straight through a cursor that does not log.
    PostgreSQL and SQLite 3.35+ both return the new ids in the order of the VALUES rows.
    """

    def __init__(self, importer):
        self.importer = importer
        self.ops = connection.ops
        fields = [f for f in Contact._meta.concrete_fields if not f.primary_key]
        template = Contact(created_at=importer.now)
        self.defaults = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields]
        self.index = {f.attname: i for i, f in enumerate(fields)}
        quote = self.ops.quote_name
        self.rows_per_insert = max(1, min(1000, 30000 // len(fields)))
        # Table and column names come from the model, quoted; every value is a query parameter.
        table, columns = quote(Contact._meta.db_table), ", ".join(quote(f.column) for f in fields)
        self.insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        self.row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        self.returning = f" RETURNING {quote(Contact._meta.pk.column)}"
        through = Contact.activities.through
        table = quote(through._meta.db_table)
        columns = f"{quote(through._meta.get_field('contact').column)}, {quote(through._meta.get_field('activity').column)}"
        self.link_insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        self.fast = connection.features.can_return_rows_from_bulk_insert

    def values(self, row, key):
        db, i = self.importer.db, self.index
        values = list(self.defaults)
        values[i["case_id"]] = db["case"][row["case_ref"]]
        values[i["mentor_id"]] = db["mentor"][row["mentor_ref"]] if row.get("mentor_ref") else None
        values[i["date"]] = self.ops.adapt_datefield_value(row["date"])
        values[i["mode"]] = row["mode"]
        values[i["attendance"]] = row["attendance"]
        values[i["duration_minutes"]] = stored_duration(row)
        values[i["location"]] = row.get("location") or ""
        values[i["notes"]] = row.get("notes") or ""
        values[i["import_key"]] = key
        if row.get("contact_ref"):
            values[i["contact_ref"]] = row["contact_ref"]
        return values

    def write(self, rows):
        if not rows:
            return
        activity_ids = self.importer.codes["activity"]
        if not self.fast:  # a backend without INSERT ... RETURNING: the ORM's way
            contacts = [Contact(**{name: value for name, value in zip(self.index, self.values(row, key), strict=True)})
                        for row, key in rows]
            Contact.objects.bulk_create(contacts, batch_size=1000)
            ids = [contact.pk for contact in contacts]
        else:
            ids = []
            connection.ensure_connection()
            with connection.make_cursor(connection.create_cursor()) as cursor:  # no query log
                for start in range(0, len(rows), self.rows_per_insert):
                    chunk = rows[start:start + self.rows_per_insert]
                    params = [value for row, key in chunk for value in self.values(row, key)]
                    cursor.execute(self.insert + ", ".join([self.row_sql] * len(chunk)) + self.returning, params)
                    ids += [found[0] for found in cursor.fetchall()]
        if len(ids) != len(rows):
            raise RuntimeError("The database did not return the new contacts' ids.")
        links = [(contact_id, activity_ids[c]) for contact_id, (row, _) in zip(ids, rows, strict=True)
                 for c in row.get("activities") or ()]
        if links:
            connection.ensure_connection()
            with connection.make_cursor(connection.create_cursor()) as cursor:
                for start in range(0, len(links), 5000):
                    chunk = links[start:start + 5000]
                    cursor.execute(self.link_insert + ", ".join(["(%s, %s)"] * len(chunk)), [v for pair in chunk for v in pair])


def template_csv(name):
    """A blank template of one import file: its header and an example row."""
    import io

    spec = SPECS[name]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(spec.column_names)
    writer.writerow([spec.example.get(column, "") for column in spec.column_names])
    return out.getvalue()
