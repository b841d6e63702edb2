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
