"""PDFs (mentoring.pdf): styled by the static stylesheets read from disk, fetching nothing."""

import base64
import urllib.request

import pytest
from django.core.exceptions import ImproperlyConfigured

from mentoring import pdf

from .pdftext import size_of, text_sizes

# A 1x1 PNG, as the organisation's logo is put in the report: a data: URI.
PIXEL = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a1b5e3d40000000049454e44ae426082"
)).decode()


@pytest.fixture
def opened(monkeypatch):
    """Every URL WeasyPrint's fetcher opens (urllib), in order."""
    urls = []
    original = urllib.request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        urls.append(url.full_url if isinstance(url, urllib.request.Request) else url)
        return original(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    return urls


def test_a_pdf_is_styled_by_its_static_stylesheet_read_from_disk_not_fetched(opened):
    html = "<html><head></head><body class='print'><h1>Programme report</h1><p>Body text</p></body></html>"
    document = pdf.write_pdf(html, ["css/report-print.css"], base_url="http://testserver/")
    assert size_of(document, "Programme report") == 22  # .print h1 { font-size: 22pt }
    assert size_of(document, "Body text") == 9.5  # body.print { font-size: 9.5pt }
    assert opened == []


def test_a_pdf_fetches_nothing_but_data_uris(opened, tmp_path):
    on_disk = tmp_path / "secret.css"
    on_disk.write_text("h1 { font-size: 40pt }")
    html = (
        f"<html><head><link rel='stylesheet' href='{on_disk.as_uri()}'>"
        "<link rel='stylesheet' href='http://testserver/static/css/report-print.css'></head>"
        "<body><h1>Heading</h1><img src='http://example.invalid/tracker.png' alt='tracker'>"
        f"<img src='data:image/png;base64,{PIXEL}' alt='logo'></body></html>"
    )
    document = pdf.write_pdf(html, base_url="http://testserver/")
    assert opened == [f"data:image/png;base64,{PIXEL}"]
    assert size_of(document, "Heading") != 40
    assert "tracker" in [run for run, _size in text_sizes(document)]  # not loaded: drawn as its alt text


def test_a_missing_pdf_stylesheet_is_an_error_not_an_unstyled_pdf():
    with pytest.raises(ImproperlyConfigured, match="css/nowhere.css"):
        pdf.write_pdf("<p>x</p>", ["css/nowhere.css"])
