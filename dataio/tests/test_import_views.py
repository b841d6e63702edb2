"""The import pages: upload, check, confirm, templates; administrators only."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.models import Client
from contacts.models import Contact
from dataio.importer import FILES
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
