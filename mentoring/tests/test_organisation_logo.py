import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from mentoring.models import LOGO_MAX_BYTES, Organisation, validate_logo


def png_bytes(size=(40, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 94, 85)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_png_logo_is_accepted():
    validate_logo(SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png"))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo.png", b"not really an image"),
        ("logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_a_logo_that_is_not_a_png_or_jpeg_is_refused(name, content):
    with pytest.raises(ValidationError, match="PNG or JPEG"):
        validate_logo(SimpleUploadedFile(name, content))


def test_a_logo_over_the_size_limit_is_refused():
    with pytest.raises(ValidationError, match="at most"):
        validate_logo(SimpleUploadedFile("big.png", b"x" * (LOGO_MAX_BYTES + 1)))


@pytest.mark.django_db
def test_the_logo_is_printed_on_the_report_cover(tmp_path, settings, programme):
    from datetime import date

    from reports.exports import report_html
    from reports.metrics import compute_report

    settings.MEDIA_ROOT = tmp_path
    organisation = Organisation.objects.create()
    organisation.logo.save("logo.png", SimpleUploadedFile("logo.png", png_bytes()))
    html = report_html(compute_report([programme], date(2026, 4, 1), date(2026, 9, 30)))
    assert 'class="cover-logo" src="data:image/png;base64,' in html


def bomb_png(size):
    """A real PNG of `size` pixels that compresses to a few KB: one colour, one bit deep."""
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(16000, 11000), (20000, 10000), (4001, 10), (2001, 2000)])
def test_a_logo_over_the_pixel_limit_is_refused_from_its_header(size):
    data = bomb_png(size)
    assert len(data) < LOGO_MAX_BYTES  # small on disk: only the pixel count gives it away
    with pytest.raises(ValidationError, match="at most 4 megapixels"):
        validate_logo(SimpleUploadedFile("logo.png", data, content_type="image/png"))


def test_a_logo_of_two_thousand_pixels_square_is_accepted():
    validate_logo(SimpleUploadedFile("logo.png", bomb_png((2000, 2000)), content_type="image/png"))


@pytest.mark.django_db
def test_a_huge_logo_stored_before_the_limit_is_left_off_the_report(tmp_path, settings):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    organisation = Organisation.objects.create()
    organisation.logo.save("logo.png", ContentFile(bomb_png((16000, 11000))))  # no validation on this path
    assert organisation.logo_data_uri() == ""


@pytest.mark.django_db
def test_the_admin_refuses_a_huge_logo_with_a_clear_message(client, administrator, tmp_path, settings):
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path
    client.force_login(administrator)
    upload = SimpleUploadedFile("logo.png", bomb_png((16000, 11000)), content_type="image/png")
    response = client.post(reverse("admin:mentoring_organisation_add"), {"logo": upload})
    assert response.status_code == 200
    assert "The logo must be at most 4 megapixels (for example 2000 × 2000 pixels)" in response.content.decode()
    assert not Organisation.objects.exists()
