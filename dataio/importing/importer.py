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

import os
from array import array
from collections import defaultdict
from dataclasses import dataclass

from django.db import reset_queries, transaction
from django.utils import timezone

from clients.models import Case, Client
from mentoring.models import Programme
from mentors.models import Mentor
from outcomes.models import (
    AssessmentTemplate,
)
from referrals.models import Referral

from .contacts import ContactWriting, contact_key, short_hash
from .parsers import INVALID, REF_SOURCES, Invalid, ok
from .reading import read_rows
from .report import FileResult, ImportReport, Problem
from .specs import FILE_NAMES, SPECS, TAXONOMIES
from .sync import Syncing
from .writers import Writers

BATCH_SIZE = 5000  # rows written per bulk_create
MAX_PROBLEMS = 500  # problems listed; the rest are counted
PROGRESS_EVERY = 100_000


@dataclass
class _Template:
    id: int
    scale_min: int
    scale_max: int
    domains: dict


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


class Importer(Syncing, Writers, ContactWriting):
    """One run of the import: check every file, then write them all (see the module docstring)."""

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
                SPECS[name].write(self, SPECS[name], path, result)
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
                except Invalid as exc:
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
            if spec.key and ok(row.get(spec.key)):
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
                if not row.get("contact_ref") and all(ok(row.get(c)) for c in ("case_ref", "date", "mode", "attendance")) and all(
                    row.get(c) is not INVALID for c in row
                ):
                    hashes.append(short_hash(contact_key(row)))
            elif spec.name == "assessments.csv":
                self._check_assessment(spec, row_number, row, groups)
            elif spec.name == "questionnaires.csv":
                key = (row.get("case_ref"), row.get("completed_on"), row.get("question"))
                self._check_once(spec, row_number, groups, key, "question",
                                 "this question is already answered on row {} of the same questionnaire")
            self._check_dates(spec, row_number, row)
        if hashes:
            ordered = sorted(hashes)
            del hashes
            self.contact_duplicates = {a for a, b in zip(ordered, ordered[1:], strict=False) if a == b}

    def _check_dates(self, spec, row_number, row):
        for start, end in (("starts_on", "ends_on"), ("started_on", "ended_on"), ("offence_date", "conviction_date")):
            if ok(row.get(start)) and ok(row.get(end)) and row[end] < row[start]:
                self.problem(spec.name, row_number, end, f"{row[end].isoformat()} is before {start} ({row[start].isoformat()})")

    def _check_case(self, spec, row_number, row, linked_referrals):
        referral = row.get("referral_ref")
        if ok(referral):
            if referral in linked_referrals:
                self.problem(spec.name, row_number, "referral_ref",
                             f'referral "{referral}" already opened the case on row {linked_referrals[referral]}')
            else:
                linked_referrals[referral] = row_number

    def _check_assessment(self, spec, row_number, row, groups):
        template_code = row.get("template")
        if not ok(template_code):
            return
        template = self.templates[template_code]
        domain = row.get("domain")
        if ok(domain):
            domain = domain.lower()
            if domain not in template.domains:
                self.problem(spec.name, row_number, "domain",
                             f'unknown domain "{row["domain"]}" for template {template_code} '
                             f"(its domains are: {', '.join(template.domains)})")
                domain = INVALID
            else:
                row["domain"] = domain
        score = row.get("score")
        if ok(score) and not template.scale_min <= score <= template.scale_max:
            self.problem(spec.name, row_number, "score",
                         f"{score} is out of range: {template_code} scores run from {template.scale_min} to {template.scale_max}")
        key = (row.get("case_ref"), template_code, row.get("assessed_on"), domain)
        self._check_once(spec, row_number, groups, key, "domain",
                         "this domain is already scored on row {} of the same assessment")

    def _check_once(self, spec, row_number, groups, key, column, message):
        """A row whose `key` (every part readable) an earlier row had is a problem; `message`'s {}
        is that earlier row's number. `groups` remembers the first row of each key."""
        if all(ok(v) for v in key):
            if key in groups:
                self.problem(spec.name, row_number, column, message.format(groups[key]))
            else:
                groups[key] = row_number

