"""The CSV import engine and `manage.py import_data` (docs/import.md), on data built here."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from clients.models import Case, Client, RiskFlag
from contacts.models import Contact
from dataio.importing import FILES, run_import, template_csv
from mentoring.models import AuditEvent, Programme
from mentors.models import Allocation, Mentor
from outcomes.models import Achievement, Answer, Assessment, CustodyPeriod, Offence, Questionnaire, Score
from referrals.models import Referral

VALID = {
    "programmes.csv": (
        "code,name,funder,starts_on,ends_on,target_clients,engagement_min_contacts\n"
        "alpha,Alpha project,Northern VRU,2024-01-01,,40,3\n"
        "beta,Beta project,,2023-04-01,2025-03-31,,\n"
    ),
    "mentors.csv": (
        "mentor_ref,first_name,last_name,email,mentor_type,programmes\n"
        "M1,Kit,Fennick,kit@example.org,peer,alpha;beta\n"
        "M2,Lou,Brackley,,volunteer,beta\n"
    ),
    "clients.csv": (
        "\ufeffclient_ref,first_name,last_name,date_of_birth,gender,ethnicity,postcode,area,"
        "care_experienced,parent_in_prison,risk_to_others,risk_level\n"
        "C1,Ada,Quillfeather,2001-02-03,female,white_british,AB1 2CD,Northside,yes,,yes,high\n"
        "C2,Bo,Marrowby,1990-12-31,male,,,,,No,no,low\n"
        "C3,Cy,Tumbleweed,2004-06-30,,,,,,,,\n"
    ),
    "referrals.csv": (
        "referral_ref,client_ref,programme,received_on,source,referrer_name,referrer_organisation,decision,decided_on,reason\n"
        "R1,C1,alpha,2024-02-01,probation,Jo Officer,Probation Service,accepted,2024-02-05,\n"
        "R2,C2,beta,2024-03-01,self,,,declined,2024-03-04,not motivated\n"
        "R3,C3,alpha,2024-04-01,youth_justice,,,,,\n"
    ),
    "cases.csv": (
        "case_ref,client_ref,programme,referral_ref,started_on,ended_on,closure_reason,mentor_ref\n"
        "K1,C1,alpha,R1,2024-02-05,,,M1\n"
        "K2,C2,beta,,2023-05-01,2024-01-31,completed,M2\n"
        "K3,C3,alpha,,2024-04-10,,,\n"
    ),
    "contacts.csv": (
        "case_ref,date,mentor_ref,mode,attendance,duration_minutes,location,activities,notes\n"
        "K1,2024-02-06,M1,face_to_face,attended,60,cafe,goal_setting;cv_building,First meeting\n"
        "K1,2024-02-13,M1,phone,attended,15,,,\n"
        "K1,2024-02-13,M1,phone,attended,15,,,\n"
        "K2,2023-06-01,,message,did_not_attend,,,,\n"
    ),
    "achievements.csv": (
        "case_ref,type,achieved_on,notes\n"
        "K1,cscs_card,2024-03-01,Passed\n"
        "K2,employment_full_time,2024-03-15,\n"
    ),
    "assessments.csv": (
        "case_ref,template,assessed_on,domain,score\n"
        "K1,progress_wheel,2024-02-06,motivation,3\n"
        "K1,progress_wheel,2024-02-06,use_of_time,4\n"
        "K1,progress_wheel,2024-05-06,motivation,7\n"
        "K1,progress_wheel,2024-05-06,use_of_time,6\n"
    ),
    "offences.csv": (
        "client_ref,offence_date,conviction_date,category,description\n"
        "C1,2023-01-10,2023-03-01,robbery,Street robbery\n"
        "C1,2024-06-01,,criminal_damage,\n"
    ),
    "custody.csv": (
        "client_ref,started_on,ended_on,reason\n"
        "C2,2022-01-01,2023-04-20,sentence\n"
    ),
    "questionnaires.csv": (
        "case_ref,completed_on,question,answer\n"
        "K2,2024-02-10,would_recommend,5\n"
        "K2,2024-02-10,helped_motivation,4\n"
    ),
}


def write_set(directory, files):
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (directory / name).write_bytes(data)
    return directory


def counts():
    models = [Programme, Mentor, Client, RiskFlag, Referral, Case, Allocation, Contact, Contact.activities.through,
              Achievement, Assessment, Score, Offence, CustodyPeriod, Questionnaire, Answer]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def valid_set(tmp_path):
    return write_set(tmp_path / "valid", VALID)


@pytest.mark.django_db
def test_a_valid_set_creates_every_record_with_the_right_values(valid_set):
    report = run_import(valid_set)

    assert report.ok, report.problems
    assert [r.file for r in report.results] == [spec.name for spec in FILES]
    alpha = Programme.objects.get(code="alpha")
    assert (alpha.name, alpha.funder.name, alpha.starts_on, alpha.target_clients, alpha.engagement_min_contacts) == (
        "Alpha project", "Northern VRU", date(2024, 1, 1), 40, 3)
    beta = Programme.objects.get(code="beta")
    assert (beta.funder, beta.ends_on, beta.target_clients, beta.engagement_min_contacts) == (None, date(2025, 3, 31), None, 2)

    kit = Mentor.objects.get(mentor_ref="M1")
    assert (kit.first_name, kit.email, kit.mentor_type, kit.user) == ("Kit", "kit@example.org", "peer", None)
    assert set(kit.programmes.values_list("code", flat=True)) == {"alpha", "beta"}

    ada = Client.objects.get(client_ref="C1")
    assert (ada.date_of_birth, ada.gender, ada.ethnicity, ada.postcode, ada.care_experienced, ada.parent_in_prison,
            ada.risk_level) == (date(2001, 2, 3), "female", "white_british", "AB1 2CD", True, None, "high")
    flag = ada.risk_flags.get()
    assert (flag.kind, flag.level, flag.active) == ("to_others", "high", True)
    bo = Client.objects.get(client_ref="C2")
    assert (bo.parent_in_prison, bo.care_experienced, bo.risk_flags.count()) == (False, None, 0)
    assert Client.objects.get(client_ref="C3").gender == "not_known"

    r1, r2, r3 = (Referral.objects.get(referral_ref=ref) for ref in ("R1", "R2", "R3"))
    assert (r1.source.code, r1.decision, r1.decided_on, r1.referrer_name, r1.case.case_ref) == (
        "probation", "accepted", date(2024, 2, 5), "Jo Officer", "K1")
    assert (r2.decision, r2.decision_reason) == ("declined", "not motivated")
    assert (r3.decision, r3.case) == ("pending", None)

    k1, k2, k3 = (Case.objects.get(case_ref=ref) for ref in ("K1", "K2", "K3"))
    assert (k1.client, k1.programme, k1.status, k1.ended_on) == (ada, alpha, "active", None)
    assert (k2.status, k2.ended_on, k2.closure_reason.code) == ("closed", date(2024, 1, 31), "completed")
    assert k3.status == "to_allocate"
    lead = k1.allocations.get()
    assert (lead.mentor, lead.role, lead.started_on, lead.ended_on) == (kit, "lead", date(2024, 2, 5), None)
    assert k2.allocations.get().ended_on == date(2024, 1, 31)

    assert k1.contacts.count() == 3  # the two identical phone calls are two contacts
    first = k1.contacts.get(date=date(2024, 2, 6))
    assert (first.mentor, first.mode, first.attendance, first.duration_minutes, first.location, first.notes) == (
        kit, "face_to_face", "attended", 60, "cafe", "First meeting")
    assert set(first.activities.values_list("code", flat=True)) == {"goal_setting", "cv_building"}
    assert len(first.import_key) == 64
    message = k2.contacts.get()
    assert (message.mentor, message.mode, message.attendance, message.duration_minutes) == (None, "message", "did_not_attend", None)

    achievement = k1.achievements.get()
    assert (achievement.type.code, achievement.achieved_on, achievement.notes) == ("cscs_card", date(2024, 3, 1), "Passed")
    first_wheel, second_wheel = k1.assessments.order_by("assessed_on")
    assert (first_wheel.template.code, first_wheel.stage, second_wheel.stage) == ("progress_wheel", "initial", "review")
    assert {s.domain.code: s.score for s in second_wheel.scores.all()} == {"motivation": 7, "use_of_time": 6}

    proven, alleged = ada.offences.order_by("offence_date")
    assert (proven.category.code, proven.conviction_date, proven.description) == ("robbery", date(2023, 3, 1), "Street robbery")
    assert alleged.conviction_date is None
    custody = bo.custody_periods.get()
    assert (custody.started_on, custody.ended_on, custody.reason) == (date(2022, 1, 1), date(2023, 4, 20), "sentence")
    questionnaire = k2.questionnaires.get()
    assert {a.question.code: a.answer for a in questionnaire.answers.all()} == {"would_recommend": 5, "helped_motivation": 4}

    lines = dict(line.split(": ", 1) for line in report.lines)
    assert lines["contacts.csv"] == "4 created, 0 updated, 0 unchanged"
    assert lines["assessments.csv"].startswith("4 created, 0 updated, 0 unchanged")


@pytest.mark.django_db
def test_importing_the_same_files_twice_changes_nothing(valid_set):
    assert run_import(valid_set).ok
    before = counts()

    again = run_import(valid_set)

    assert again.ok
    assert counts() == before
    assert all(r.created == 0 and r.updated == 0 for r in again.results), again.lines
    assert sum(r.unchanged for r in again.results) > 0


@pytest.mark.django_db
def test_identical_contact_rows_follow_multiset_semantics(tmp_path, valid_set):
    assert run_import(valid_set).ok
    three_calls = VALID["contacts.csv"] + "K1,2024-02-13,M1,phone,attended,15,,,\n"
    more = write_set(tmp_path / "more", {"contacts.csv": three_calls})

    report = run_import(more)

    assert report.lines == ["contacts.csv: 1 created, 0 updated, 4 unchanged"]
    assert Contact.objects.filter(case__case_ref="K1", date=date(2024, 2, 13)).count() == 3


@pytest.mark.django_db
def test_a_changed_row_updates_its_record(tmp_path, valid_set):
    assert run_import(valid_set).ok
    clients = VALID["clients.csv"].replace("C1,Ada,", "C1,Adah,").replace(",yes,high\n", ",no,high\n")
    cases = VALID["cases.csv"].replace("K1,C1,alpha,R1,2024-02-05,,,M1", "K1,C1,alpha,R1,2024-02-05,,,M2")
    achievements = VALID["achievements.csv"].replace(",Passed", ",Passed first time")
    changed = write_set(tmp_path / "changed", {"clients.csv": clients, "cases.csv": cases, "achievements.csv": achievements})

    report = run_import(changed)

    assert report.lines == [
        "clients.csv: 0 created, 1 updated, 2 unchanged",
        "cases.csv: 0 created, 1 updated, 2 unchanged",
        "achievements.csv: 0 created, 1 updated, 1 unchanged",
    ]
    ada = Client.objects.get(client_ref="C1")
    assert ada.first_name == "Adah"
    assert not ada.risk_flags.filter(active=True).exists()
    k1 = Case.objects.get(case_ref="K1")
    assert k1.allocations.get().mentor.mentor_ref == "M2"  # the lead allocation changed, none added
    assert k1.achievements.get().notes == "Passed first time"


BROKEN = {
    "programmes.csv": (
        "code,name,funder\n"
        "gamma,,Some funder\n"  # blank required cell
    ),
    "mentors.csv": (
        "mentor_ref,first_name,last_name,mentor_type,programmes\n"
        "M1,Kit,Fennick,peer,nowhere\n"  # unknown programme
    ),
    "clients.csv": (
        "client_ref,first_name,last_name,date_of_birth,care_experienced,favourite_colour\n"  # unknown column
        "C1,Ada,Quillfeather,2001-02-30,maybe,blue\n"  # bad date, bad boolean
        "C1,Ada,Again,2001-02-03,yes,green\n"  # duplicate ref
    ),
    "referrals.csv": (
        "referral_ref,client_ref,programme,received_on,source\n"
        "R1,C9,gamma,2024-02-01,carrier_pigeon\n"  # dangling client_ref, unknown source code
    ),
    "cases.csv": (
        "case_ref,client_ref,programme,started_on\n"
        "K1,C1,gamma,2024-02-05\n"
    ),
    "contacts.csv": (
        "case_ref,date,mode,duration_minutes\n"  # missing required column: attendance
        "K1,2024-02-06,telepathy,sixty\n"  # bad choice, bad number
    ),
    "assessments.csv": (
        "case_ref,template,assessed_on,domain,score\n"
        "K1,progress_wheel,2024-02-06,motivation,11\n"  # score out of range
    ),
    "questionnaires.csv": (
        "case_ref,completed_on,question,answer\n"
        "K1,2024-02-10,would_recommend,6\n"  # answer out of range
    ),
    "custody.csv": (
        b"client_ref,started_on,ended_on,reason\n"
        b"C1,2022-01-01,2023-04-20,sentence \xff\xfe\n"  # not UTF-8
    ),
}

EXPECTED_PROBLEMS = [
    ("programmes.csv", 2, "name", "is required"),
    ("mentors.csv", 2, "programmes", "nowhere"),
    ("clients.csv", 1, "favourite_colour", "unknown column"),
    ("clients.csv", 2, "date_of_birth", "not a date"),
    ("clients.csv", 2, "care_experienced", "not yes or no"),
    ("clients.csv", 3, "client_ref", "repeated (first on row 2)"),
    ("referrals.csv", 2, "client_ref", '"C9" is not in clients.csv nor in the database'),
    ("referrals.csv", 2, "source", 'unknown referral source code "carrier_pigeon"'),
    ("contacts.csv", 1, "attendance", "required column is missing"),
    ("contacts.csv", 2, "mode", '"telepathy" is not one of'),
    ("contacts.csv", 2, "duration_minutes", "not a whole number"),
    ("assessments.csv", 2, "score", "out of range"),
    ("questionnaires.csv", 2, "answer", "out of range: use 1 to 5"),
    ("custody.csv", 2, "reason", "not valid UTF-8"),
]


@pytest.mark.django_db
def test_every_problem_is_reported_by_file_row_and_column_and_nothing_is_written(tmp_path):
    broken = write_set(tmp_path / "broken", BROKEN)
    before = counts()

    report = run_import(broken)

    found = [(p.file, p.row, p.column, p.message) for p in report.problems]
    for file, row, column, text in EXPECTED_PROBLEMS:
        assert any(f == file and r == row and c == column and text in m for f, r, c, m in found), (
            f"missing: {file}, row {row}, {column}: {text}\n" + "\n".join(map(str, report.problems)))
    assert report.results == []
    assert counts() == before
    assert str(report.problems[0]) == "programmes.csv, row 2, name: is required"


@pytest.mark.django_db
def test_the_command_lists_every_problem_and_fails(tmp_path, capsys):
    broken = write_set(tmp_path / "broken", BROKEN)

    with pytest.raises(CommandError, match=r"problems found: nothing was imported"):
        call_command("import_data", str(broken))

    err = capsys.readouterr().err
    assert "clients.csv, row 3, client_ref:" in err
    assert "custody.csv, row 2, reason: not valid UTF-8" in err
    assert Client.objects.count() == 0


@pytest.mark.django_db
def test_a_dry_run_reports_what_would_change_and_writes_nothing(valid_set, capsys):
    call_command("import_data", str(valid_set), "--dry-run")

    out = capsys.readouterr().out
    assert "contacts.csv: 4 created, 0 updated, 0 unchanged" in out
    assert "Dry run" in out
    assert Programme.objects.filter(code="alpha").count() == 0
    assert Contact.objects.count() == 0
    assert not AuditEvent.objects.filter(verb="data.imported").exists()


@pytest.mark.django_db
def test_the_command_prints_one_line_per_file_and_records_the_import(valid_set, capsys):
    call_command("import_data", str(valid_set))

    out = capsys.readouterr().out.splitlines()
    assert "clients.csv: 3 created, 0 updated, 0 unchanged" in out
    assert len(out) == len(FILES)
    event = AuditEvent.objects.get(verb="data.imported")
    assert event.action == "import" and event.detail["files"]["contacts.csv"]["created"] == 4


@pytest.mark.django_db
def test_rows_may_refer_to_records_already_in_the_database(tmp_path, valid_set):
    assert run_import(valid_set).ok
    later = write_set(tmp_path / "later", {
        "contacts.csv": "case_ref,date,mode,attendance\nK3,2024-04-12,video,attended\n",
        "offences.csv": "client_ref,offence_date,category\nC3,2024-05-01,shoplifting\n",
    })

    report = run_import(later)

    assert report.ok, report.problems
    assert Case.objects.get(case_ref="K3").contacts.count() == 1


@pytest.mark.django_db
def test_a_byte_order_mark_and_any_case_booleans_are_accepted(tmp_path):
    files = write_set(tmp_path / "bom", {
        "clients.csv": "\ufeffclient_ref,first_name,last_name,date_of_birth,care_experienced\r\nC7,Di,Ember,1999-09-09,TRUE\r\n",
    })

    report = run_import(files)

    assert report.ok, report.problems
    assert Client.objects.get(client_ref="C7").care_experienced is True


@pytest.mark.django_db
def test_an_unknown_file_name_is_a_problem(tmp_path):
    files = write_set(tmp_path / "typo", {"contact.csv": "case_ref\n"})

    report = run_import(files)

    assert [str(p) for p in report.problems][0].startswith("contact.csv, row 1, -: not a file this import knows")


@pytest.mark.django_db
def test_a_template_has_the_header_and_an_example_row_that_the_import_accepts():
    for spec in FILES:
        header, example = template_csv(spec.name).splitlines()
        assert header.split(",") == spec.column_names
        assert example


@pytest.mark.django_db
def test_imported_clients_are_found_however_their_name_is_typed(tmp_path):
    header = "client_ref,first_name,last_name,date_of_birth\n"
    assert run_import(write_set(tmp_path / "first", {"clients.csv": header + "C1,Siân,O'Neill,2001-03-14\n"})).ok

    assert list(Client.objects.search("sian o’neill").values_list("client_ref", flat=True)) == ["C1"]
    assert Client.objects.possible_duplicates("Sian", "O’Neill", date(2001, 3, 14)).count() == 1

    # A corrected name goes through bulk_update: the folded columns follow it.
    assert run_import(write_set(tmp_path / "second", {"clients.csv": header + "C1,Siân,Ní Bhriain,2001-03-14\n"})).ok

    assert list(Client.objects.search("ni bhriain").values_list("client_ref", flat=True)) == ["C1"]
    assert not Client.objects.search("oneill").exists()


# ---- Every bad cell named, nothing shortened --------------------------------------------------


def problems_of(report):
    return [str(problem) for problem in report.problems]


@pytest.mark.django_db
def test_a_260_character_email_is_a_named_problem_for_a_new_and_an_existing_mentor(tmp_path, valid_set, capsys):
    assert run_import(valid_set).ok
    long_email = "k" * 248 + "@example.org"
    assert len(long_email) == 260
    mentors = ("mentor_ref,first_name,last_name,email,mentor_type\n"
               f"M1,Kit,Fennick,{long_email},peer\n"
               f"M9,New,Mentor,{long_email},peer\n")
    files = write_set(tmp_path / "long", {"mentors.csv": mentors})

    with pytest.raises(CommandError, match="2 problems found"):
        call_command("import_data", str(files))

    err = capsys.readouterr().err
    assert "mentors.csv, row 2, email: is 260 characters long; at most 254 fit" in err
    assert "mentors.csv, row 3, email: is 260 characters long; at most 254 fit" in err
    assert Mentor.objects.get(mentor_ref="M1").email == "kit@example.org"
    assert not Mentor.objects.filter(mentor_ref="M9").exists()


def test_every_text_column_is_checked_against_its_model_fields_max_length():
    checked = 0
    for spec in FILES:
        for column in spec.columns:
            field = getattr(column.parse, "field", None)
            if field is None or not field.max_length:
                continue
            assert column.parse.max_length == field.max_length, (spec.name, column.name)
            with pytest.raises(Exception, match=f"at most {field.max_length} fit"):
                column.parse("a" * (field.max_length + 1), None)
            checked += 1
    assert checked >= 15


@pytest.mark.django_db
def test_a_nul_byte_or_another_control_character_is_a_named_problem(tmp_path, capsys):
    clients = ("client_ref,first_name,last_name,date_of_birth,area\n"
               "C1,Ada\x00,Quillfeather,2001-02-03,North\n"
               "C2,Bo,Marrowby,1990-12-31,So\x07uth\n")
    files = write_set(tmp_path / "control", {"clients.csv": clients})

    with pytest.raises(CommandError, match="2 problems found"):
        call_command("import_data", str(files))

    err = capsys.readouterr().err
    assert "clients.csv, row 2, first_name: contains a control character (U+0000) that cannot be imported" in err
    assert "clients.csv, row 3, area: contains a control character (U+0007)" in err
    assert Client.objects.count() == 0


@pytest.mark.django_db
def test_two_files_whose_names_differ_only_by_capitals_are_a_problem(tmp_path):
    files = write_set(tmp_path / "twice", {
        "contacts.csv": "case_ref,date,mode,attendance\n", "Contacts.csv": "case_ref,date,mode,attendance\n",
    })

    report = run_import(files)

    assert problems_of(report) == [
        "Contacts.csv and contacts.csv, row 1, -: these files have one name, written in different capitals, "
        "and the import cannot tell which to read: keep one"
    ]


FUTURE = "2099-01-01"


@pytest.mark.django_db
def test_dates_that_cannot_be_in_the_future_are_refused(tmp_path, valid_set):
    assert run_import(valid_set).ok
    later = write_set(tmp_path / "future", {
        "programmes.csv": f"code,name,ends_on\ngamma,Gamma project,{FUTURE}\n",  # a programme may end later
        "clients.csv": f"client_ref,first_name,last_name,date_of_birth\nC9,Ivy,Later,{FUTURE}\n",
        "referrals.csv": f"referral_ref,client_ref,programme,received_on,source,decided_on\nR9,C1,alpha,{FUTURE},self,{FUTURE}\n",
        "cases.csv": f"case_ref,client_ref,programme,started_on,ended_on\nK9,C1,alpha,{FUTURE},{FUTURE}\n",
        "contacts.csv": f"case_ref,date,mode,attendance\nK1,{FUTURE},phone,attended\n",
        "achievements.csv": f"case_ref,type,achieved_on\nK1,cscs_card,{FUTURE}\n",
        "assessments.csv": f"case_ref,template,assessed_on,domain,score\nK1,progress_wheel,{FUTURE},motivation,3\n",
        "offences.csv": f"client_ref,offence_date,conviction_date,category\nC1,{FUTURE},{FUTURE},robbery\n",
        "custody.csv": f"client_ref,started_on,ended_on\nC2,{FUTURE},{FUTURE}\n",
        "questionnaires.csv": f"case_ref,completed_on,question,answer\nK2,{FUTURE},would_recommend,5\n",
    })
    before = counts()

    report = run_import(later)

    found = {(p.file, p.column) for p in report.problems if "is in the future" in p.message}
    assert found == {
        ("clients.csv", "date_of_birth"), ("referrals.csv", "received_on"), ("referrals.csv", "decided_on"),
        ("cases.csv", "started_on"), ("cases.csv", "ended_on"), ("contacts.csv", "date"),
        ("achievements.csv", "achieved_on"), ("assessments.csv", "assessed_on"), ("offences.csv", "offence_date"),
        ("offences.csv", "conviction_date"), ("custody.csv", "started_on"), ("custody.csv", "ended_on"),
        ("questionnaires.csv", "completed_on"),
    }, problems_of(report)
    assert f"clients.csv, row 2, date_of_birth: {FUTURE} is in the future" in problems_of(report)[0]
    assert counts() == before


@pytest.mark.django_db
def test_a_utf16_file_is_named_as_not_utf8(tmp_path, capsys):
    files = write_set(tmp_path / "utf16", {"clients.csv": VALID["clients.csv"].replace("\ufeff", "").encode("utf-16")})

    with pytest.raises(CommandError, match="1 problem found"):
        call_command("import_data", str(files))

    assert capsys.readouterr().err.splitlines()[0] == (
        "clients.csv, row 1, -: the file is not UTF-8 (it looks like UTF-16): save it as CSV UTF-8")


@pytest.mark.django_db
def test_a_latin1_file_is_named_as_not_utf8(tmp_path):
    clients = "client_ref,first_name,last_name,date_of_birth\nC1,Siân,O'Neill,2001-03-14\n".encode("cp1252")

    report = run_import(write_set(tmp_path / "latin1", {"clients.csv": clients}))

    assert problems_of(report) == [
        "clients.csv, row 1, -: the file is not UTF-8 (it looks like Windows-1252 or Latin-1): save it as CSV UTF-8",
        'clients.csv, row 2, first_name: not valid UTF-8 text: save the file as "CSV UTF-8"',
    ]


@pytest.mark.django_db
def test_old_mac_line_endings_are_read(tmp_path, valid_set):
    assert run_import(valid_set).ok
    Contact.objects.all().delete()
    contacts = ('case_ref,date,mode,attendance,notes\r'
                'K1,2024-02-06,phone,attended,"Two\rlines"\r'
                'K3,2024-04-12,video,attended,\r')

    report = run_import(write_set(tmp_path / "mac", {"contacts.csv": contacts}))

    assert report.ok, problems_of(report)
    assert report.lines == ["contacts.csv: 2 created, 0 updated, 0 unchanged"]
    assert Contact.objects.get(case__case_ref="K1").notes == "Two\nlines"


# ---- Stable identity of contacts and achievements ---------------------------------------------


CONTACTS_WITH_REFS = (
    "contact_ref,case_ref,date,mentor_ref,mode,attendance,duration_minutes,activities\n"
    "S1,K1,2024-02-06,M1,face_to_face,attended,60,goal_setting\n"
    "S2,K1,2024-02-13,M1,phone,attended,15,\n"
)


@pytest.mark.django_db
def test_correcting_a_contacts_duration_and_attendance_with_a_contact_ref_updates_it(tmp_path, valid_set):
    assert run_import(valid_set).ok
    assert run_import(write_set(tmp_path / "refs", {"contacts.csv": CONTACTS_WITH_REFS})).ok
    before = Contact.objects.get(contact_ref="S1")
    corrected = CONTACTS_WITH_REFS.replace("attended,60,goal_setting", "did_not_attend,45,cv_building;housing")
    corrected = corrected.replace("phone,attended,15", "phone,attended,30")

    report = run_import(write_set(tmp_path / "corrected", {"contacts.csv": corrected}))

    assert report.lines == ["contacts.csv: 0 created, 2 updated, 0 unchanged"]
    after = Contact.objects.get(contact_ref="S1")
    # A session that did not happen keeps no duration, whatever the spreadsheet says.
    assert (after.pk, after.attendance, after.duration_minutes) == (before.pk, "did_not_attend", None)
    assert Contact.objects.get(contact_ref="S2").duration_minutes == 30
    assert set(after.activities.values_list("code", flat=True)) == {"cv_building", "housing"}
    assert after.version == before.version + 1  # an edit form opened before the import is refused
    assert Contact.objects.filter(contact_ref__in=["S1", "S2"]).count() == 2
    assert run_import(write_set(tmp_path / "again", {"contacts.csv": corrected})).lines == [
        "contacts.csv: 0 created, 0 updated, 2 unchanged"]


@pytest.mark.django_db
def test_correcting_a_contact_without_a_ref_adds_a_second_contact(tmp_path, valid_set):
    """The documented limit of rows without a ref: a corrected row is another row."""
    assert run_import(valid_set).ok
    corrected = VALID["contacts.csv"].replace("cafe,goal_setting;cv_building,First meeting", "office,goal_setting,First meeting")

    report = run_import(write_set(tmp_path / "corrected", {"contacts.csv": corrected}))

    assert report.lines == ["contacts.csv: 1 created, 0 updated, 3 unchanged"]


@pytest.mark.django_db
def test_adding_refs_to_contacts_already_imported_adds_no_contact(tmp_path, valid_set):
    assert run_import(valid_set).ok
    before = counts()
    with_refs = "contact_ref," + VALID["contacts.csv"].replace("\nK", "\nREF,K")
    lines = with_refs.splitlines()
    with_refs = "\n".join([lines[0]] + [line.replace("REF", f"S{n}", 1) for n, line in enumerate(lines[1:], start=1)]) + "\n"

    report = run_import(write_set(tmp_path / "refs", {"contacts.csv": with_refs}))

    assert report.lines == ["contacts.csv: 0 created, 4 updated, 0 unchanged"]
    assert counts() == before
    assert set(Contact.objects.values_list("contact_ref", flat=True)) == {"S1", "S2", "S3", "S4"}


@pytest.mark.django_db
def test_a_contact_ref_repeated_in_the_file_is_a_problem(tmp_path, valid_set):
    assert run_import(valid_set).ok
    repeated = CONTACTS_WITH_REFS.replace("S2,", "S1,")

    report = run_import(write_set(tmp_path / "repeated", {"contacts.csv": repeated}))

    assert problems_of(report) == ['contacts.csv, row 3, contact_ref: "S1" is repeated (first on row 2)']


@pytest.mark.django_db
def test_correcting_an_achievements_date_with_an_achievement_ref_updates_it(tmp_path, valid_set):
    assert run_import(valid_set).ok
    with_refs = VALID["achievements.csv"].replace("case_ref,", "achievement_ref,case_ref,").replace(
        "\nK1,", "\nA1,K1,").replace("\nK2,", "\nA2,K2,")

    claimed = run_import(write_set(tmp_path / "refs", {"achievements.csv": with_refs}))
    corrected = run_import(write_set(tmp_path / "corrected", {
        "achievements.csv": with_refs.replace("2024-03-01,Passed", "2024-02-28,Passed at the second try")}))

    assert claimed.lines == ["achievements.csv: 0 created, 2 updated, 0 unchanged"]  # the refs were added
    assert corrected.lines == ["achievements.csv: 0 created, 1 updated, 1 unchanged"]
    achievement = Achievement.objects.get(achievement_ref="A1")
    assert (achievement.achieved_on, achievement.notes) == (date(2024, 2, 28), "Passed at the second try")
    assert Achievement.objects.count() == 2


@pytest.mark.django_db
def test_anonymising_a_client_clears_the_refs_of_their_contacts_and_achievements(tmp_path, valid_set, manager):
    from dataio import privacy

    assert run_import(valid_set).ok
    achievements = "achievement_ref,case_ref,type,achieved_on\nA1,K1,cscs_card,2024-03-01\n"
    assert run_import(write_set(tmp_path / "refs", {"contacts.csv": CONTACTS_WITH_REFS, "achievements.csv": achievements})).ok

    privacy.anonymise_client(client=Client.objects.get(client_ref="C1"), by=manager, reason="Retention test")

    assert not Contact.objects.exclude(contact_ref=None).exists()
    assert not Achievement.objects.exclude(achievement_ref=None).exists()


# ---- Bounds ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_header_of_a_million_columns_is_one_problem(tmp_path):
    files = write_set(tmp_path / "wide", {"clients.csv": ",".join(f"c{n}" for n in range(1_000_000)) + "\n1\n"})

    report = run_import(files)

    assert len(problems_of(report)) == 1
    assert problems_of(report)[0].startswith("clients.csv, row 1, -: the header row has 1,000,000 columns; an import file has at most 100")


@pytest.mark.django_db
def test_only_the_first_500_problems_are_listed_and_the_rest_counted(tmp_path, capsys):
    rows = "".join(f"C{n},Ada,Quill,not-a-date\n" for n in range(800))
    files = write_set(tmp_path / "many", {"clients.csv": "client_ref,first_name,last_name,date_of_birth\n" + rows})

    report = run_import(files)
    with pytest.raises(CommandError, match="800 problems found"):
        call_command("import_data", str(files))

    assert (len(report.problems), report.problem_count, report.more_problems) == (500, 800, 300)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 501 and err[-1] == "and 300 more problems"


@pytest.mark.django_db
def test_a_did_not_attend_row_with_a_duration_is_stored_without_one_and_imports_again_unchanged(tmp_path, valid_set):
    assert run_import(valid_set).ok
    contacts = ("case_ref,date,mentor_ref,mode,attendance,duration_minutes\n"
                "K1,2024-03-05,M1,phone,did_not_attend,60\n"
                "K1,2024-03-06,M1,face_to_face,cancelled_by_client,30\n")
    directory = write_set(tmp_path / "dna", {"contacts.csv": contacts})

    assert run_import(directory).lines == ["contacts.csv: 2 created, 0 updated, 0 unchanged"]
    assert list(Contact.objects.filter(date__gte="2024-03-05").values_list("duration_minutes", flat=True)) == [None, None]
    assert run_import(directory).lines == ["contacts.csv: 0 created, 0 updated, 2 unchanged"]


def test_every_import_file_has_its_writer_registered_on_its_spec():
    assert [spec.name for spec in FILES if not callable(spec.write)] == []


@pytest.mark.django_db
def test_an_imported_postcode_is_stored_in_capitals_with_the_space_and_imports_again_unchanged(tmp_path):
    lower = write_set(tmp_path / "lower", {**VALID, "clients.csv": VALID["clients.csv"].replace("AB1 2CD", "ab12cd")})
    assert run_import(lower).ok
    assert Client.objects.get(client_ref="C1").postcode == "AB1 2CD"
    assert "clients.csv: 0 created, 0 updated, 3 unchanged" in run_import(lower).lines


@pytest.mark.django_db
def test_an_earlier_wheel_imported_later_is_accepted_as_a_review_and_the_initial_one_stays(tmp_path, valid_set):
    assert run_import(valid_set).ok
    earlier = write_set(tmp_path / "earlier", {
        "assessments.csv": "case_ref,template,assessed_on,domain,score\nK1,progress_wheel,2024-02-05,motivation,2\n",
    })

    report = run_import(earlier)

    assert report.ok
    stages = list(Case.objects.get(case_ref="K1").assessments.order_by("assessed_on").values_list("assessed_on", "stage"))
    assert stages == [(date(2024, 2, 5), "review"), (date(2024, 2, 6), "initial"), (date(2024, 5, 6), "review")]


@pytest.mark.django_db
def test_programmes_csv_names_its_assessment_templates_and_an_unknown_code_is_a_named_problem(tmp_path):
    from outcomes.models import AssessmentTemplate

    AssessmentTemplate.objects.create(code="outcome_star", name="Outcome star", scale_max=5)
    files = write_set(tmp_path / "own", {"programmes.csv": (
        "code,name,assessment_templates\n"
        "alpha,Alpha project,outcome_star; progress_wheel\n"
        "beta,Beta project,\n"
    )})
    report = run_import(files)
    assert not report.problems
    alpha, beta = Programme.objects.get(code="alpha"), Programme.objects.get(code="beta")
    assert sorted(alpha.assessment_templates.values_list("code", flat=True)) == ["outcome_star", "progress_wheel"]
    assert not beta.assessment_templates.exists()  # a blank cell names none: the default is used

    files = write_set(tmp_path / "again", {"programmes.csv": "code,name,assessment_templates\nalpha,Alpha project,outcome_star\n"})
    run_import(files)
    assert list(alpha.assessment_templates.values_list("code", flat=True)) == ["outcome_star"]

    files = write_set(tmp_path / "bad", {"programmes.csv": "code,name,assessment_templates\nalpha,Alpha project,starfish\n"})
    report = run_import(files)
    assert [str(p) for p in report.problems] == [
        'programmes.csv, row 2, assessment_templates: unknown assessment template code "starfish"']


@pytest.mark.django_db
def test_a_questionnaire_answer_of_not_asked_is_stored_as_an_answer_with_no_rating(tmp_path):
    files = write_set(tmp_path / "not-asked", {**VALID, "questionnaires.csv": (
        "case_ref,completed_on,question,answer\n"
        "K2,2024-02-10,would_recommend,not_asked\n"
        "K2,2024-02-10,helped_motivation,4\n"
        "K2,2024-02-10,helped_use_of_time,maybe\n"
    )})
    refused = run_import(files)
    assert problems_of(refused) == ['questionnaires.csv, row 4, answer: "maybe" is not an answer: use 1 to 5, or not_asked']

    (files / "questionnaires.csv").write_text((files / "questionnaires.csv").read_text().replace(
        "K2,2024-02-10,helped_use_of_time,maybe\n", ""))
    assert run_import(files).ok
    questionnaire = Case.objects.get(case_ref="K2").questionnaires.get()
    assert {a.question.code: a.answer for a in questionnaire.answers.all()} == {"would_recommend": None, "helped_motivation": 4}
