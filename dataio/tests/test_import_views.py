"""The import pages: upload, check, confirm, templates; administrators only."""

import io
import os
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from clients.models import Client
from contacts.models import Contact
from dataio.importing import FILES
from mentoring.models import AuditEvent

from .test_import import BROKEN, VALID

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")


def csv_upload(name, content):
    return SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode(), content_type="text/csv")


def zip_upload(members, name="data.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def test_administrator_sees_the_preview_then_imports(client, administrator):
    client.force_login(administrator)
    files = [csv_upload(name, VALID[name]) for name in ("programmes.csv", "mentors.csv", "clients.csv")]

    response = client.post(reverse("dataio:import_upload"), {"files": files})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Every row is valid" in page and "Would create" in page
    assert Client.objects.count() == 0  # the check wrote nothing
    token = response.context["token"]

    response = client.post(reverse("dataio:import_confirm"), {"token": token})

    assert response.status_code == 302
    assert Client.objects.count() == 3
    event = AuditEvent.objects.get(verb="data.imported")
    assert event.user == administrator and event.action == "import"
    assert set(event.detail["files"]) == {"programmes.csv", "mentors.csv", "clients.csv"}
    page = client.get(response["Location"]).content.decode()
    assert "clients.csv: 3 created, 0 updated, 0 unchanged" in page


def test_a_confirm_cannot_be_replayed(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("dataio:import_upload"), {"files": [csv_upload("clients.csv", VALID["clients.csv"])]})
    token = response.context["token"]
    client.post(reverse("dataio:import_confirm"), {"token": token})

    response = client.post(reverse("dataio:import_confirm"), {"token": token}, follow=True)

    assert "nothing waiting to be imported" in response.content.decode()
    assert Client.objects.count() == 3


def test_a_zip_of_a_full_set_imports(client, administrator):
    client.force_login(administrator)
    upload = zip_upload({f"export/{name}": content for name, content in VALID.items()})

    response = client.post(reverse("dataio:import_upload"), {"files": [upload]})
    client.post(reverse("dataio:import_confirm"), {"token": response.context["token"]})

    assert Contact.objects.count() == 4


def test_administrator_sees_every_problem_and_nothing_is_written(client, administrator):
    client.force_login(administrator)
    files = [csv_upload(name, content) for name, content in BROKEN.items()]

    response = client.post(reverse("dataio:import_upload"), {"files": files})

    page = response.content.decode()
    assert response.status_code == 200
    assert "problems found: nothing was imported" in page
    assert len(response.context["report"].problems) >= 12
    assert "<td>clients.csv</td><td>3</td><td>client_ref</td>" in page
    assert "Import</button>" not in page
    assert Client.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: csv_upload("notes.txt", "hello"), "only .csv files or a .zip"),
        (lambda: csv_upload("contact.csv", "case_ref\n"), "not a file this import knows"),
        (lambda: zip_upload({"../clients.csv": "client_ref\n"}), "outside the zip"),
        (lambda: zip_upload({"secrets.txt": "x"}), "not a file this import knows"),
    ],
)
def test_uploads_other_than_the_known_files_are_refused(client, administrator, upload, message):
    client.force_login(administrator)

    response = client.post(reverse("dataio:import_upload"), {"files": [upload()]})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "token" not in response.context


def test_an_upload_over_the_size_limit_is_refused(client, administrator, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 100
    client.force_login(administrator)

    response = client.post(reverse("dataio:import_upload"), {"files": [csv_upload("clients.csv", VALID["clients.csv"])]})

    page = response.content.decode()
    assert "at most 100" in page and "manage.py import_data FOLDER" in page
    assert Client.objects.count() == 0


def test_a_mentor_cannot_open_the_import_page(client, mentor_user):
    client.force_login(mentor_user)

    assert client.get(reverse("dataio:import_upload")).status_code == 403
    assert client.post(reverse("dataio:import_upload"), {"files": [csv_upload("clients.csv", VALID["clients.csv"])]}).status_code == 403
    assert Client.objects.count() == 0


def test_the_upload_page_links_every_template(client, administrator):
    client.force_login(administrator)

    page = client.get(reverse("dataio:import_upload")).content.decode()

    for spec in FILES:
        assert reverse("dataio:import_template", kwargs={"name": spec.name}) in page


def test_a_template_download_has_the_headers(client, administrator):
    client.force_login(administrator)

    response = client.get(reverse("dataio:import_template", kwargs={"name": "clients.csv"}))

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="clients.csv"' in response["Content-Disposition"]
    header = response.content.decode().splitlines()[0]
    assert header.startswith("client_ref,first_name,last_name,date_of_birth,gender")


def test_a_zip_with_a_bad_crc_is_a_clear_upload_error(client, administrator):
    client.force_login(administrator)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("clients.csv", VALID["clients.csv"])
    damaged = bytearray(buffer.getvalue())
    at = damaged.index(b"Quillfeather")
    damaged[at:at + 5] = b"XXXXX"  # the stored bytes no longer match the CRC in the header
    upload = SimpleUploadedFile("data.zip", bytes(damaged), content_type="application/zip")

    response = client.post(reverse("dataio:import_upload"), {"files": [upload]})

    page = response.content.decode()
    assert response.status_code == 200
    assert "data.zip: clients.csv cannot be unpacked, the zip is damaged or protected" in page
    assert "Bad CRC-32" in page
    assert Client.objects.count() == 0


def test_a_zip_with_broken_compressed_data_is_a_clear_upload_error(client, administrator):
    client.force_login(administrator)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("clients.csv", VALID["clients.csv"] * 50)
    damaged = bytearray(buffer.getvalue())
    start = 30 + len("clients.csv")  # the compressed data follows the first local header
    damaged[start + 10:start + 60] = bytes(50)

    response = client.post(reverse("dataio:import_upload"),
                           {"files": [SimpleUploadedFile("data.zip", bytes(damaged), content_type="application/zip")]})

    assert response.status_code == 200
    assert "cannot be unpacked, the zip is damaged or protected" in response.content.decode()


def test_problems_beyond_the_first_500_are_counted_on_the_page(client, administrator):
    client.force_login(administrator)
    rows = "".join(f"C{n},Ada,Quill,not-a-date\n" for n in range(700))
    upload = csv_upload("clients.csv", "client_ref,first_name,last_name,date_of_birth\n" + rows)

    response = client.post(reverse("dataio:import_upload"), {"files": [upload]})

    page = response.content.decode()
    assert "700 problems found: nothing was imported" in page
    assert page.count("<td>clients.csv</td>") == 500
    assert "and 200 more problems" in page


def test_a_header_of_a_million_columns_gives_a_short_page(client, administrator):
    client.force_login(administrator)
    upload = csv_upload("clients.csv", ",".join(f"c{n}" for n in range(1_000_000)) + "\n")

    response = client.post(reverse("dataio:import_upload"), {"files": [upload]})

    assert response.status_code == 200
    assert len(response.content) < 50_000
    assert "the header row has 1,000,000 columns" in response.content.decode()


def _age(directory, minutes):
    old = time.time() - minutes * 60
    os.utime(directory, (old, old))


def test_an_upload_checked_longer_ago_than_the_setting_is_refused_and_deleted(client, administrator, settings):
    settings.IMPORT_UPLOAD_TTL_MINUTES = 60
    client.force_login(administrator)
    response = client.post(reverse("dataio:import_upload"), {"files": [csv_upload("clients.csv", VALID["clients.csv"])]})
    token = response.context["token"]
    directory = os.path.join(settings.IMPORT_UPLOAD_DIR, token)
    assert "wait 60 minutes" in response.content.decode()
    _age(directory, 61)

    response = client.post(reverse("dataio:import_confirm"), {"token": token}, follow=True)

    assert "waited more than 60 minutes and were deleted" in response.content.decode()
    assert not os.path.exists(directory)
    assert Client.objects.count() == 0


def test_expired_uploads_are_deleted_by_the_next_upload_and_by_the_command(client, administrator, settings):
    client.force_login(administrator)
    first = client.post(reverse("dataio:import_upload"), {"files": [csv_upload("clients.csv", VALID["clients.csv"])]})
    root = settings.IMPORT_UPLOAD_DIR
    expired = os.path.join(root, first.context["token"])
    _age(expired, 61)
    other = os.path.join(root, "0" * 32)
    os.makedirs(other)
    _age(other, 61)
    fresh = os.path.join(root, "1" * 32)
    os.makedirs(fresh)

    client.post(reverse("dataio:import_upload"), {"files": [csv_upload("clients.csv", VALID["clients.csv"])]})

    assert not os.path.exists(expired) and not os.path.exists(other) and os.path.exists(fresh)
    _age(fresh, 61)
    out = io.StringIO()
    call_command("prune_import_uploads", stdout=out)
    assert not os.path.exists(fresh)
    assert out.getvalue().startswith("1 expired upload deleted")


def test_the_blank_templates_include_the_contact_and_achievement_refs(client, administrator):
    client.force_login(administrator)

    page = client.get(reverse("dataio:import_upload")).content.decode()
    contacts = client.get(reverse("dataio:import_template", kwargs={"name": "contacts.csv"})).content.decode()
    achievements = client.get(reverse("dataio:import_template", kwargs={"name": "achievements.csv"})).content.decode()

    assert "contact_ref" in page and "achievement_ref" in page
    assert contacts.splitlines()[0].startswith("contact_ref,case_ref,")
    assert achievements.splitlines()[0].startswith("achievement_ref,case_ref,")
