"""PDFs drawn by WeasyPrint from our own HTML, styled by our own static stylesheets.

The templates carry no <style> (the Content-Security-Policy allows no inline style), so the
stylesheets are passed to WeasyPrint as files found by the staticfiles finders: read from disk,
never fetched over HTTP from our own site. WeasyPrint may fetch nothing else either: only data:
URIs (the organisation's logo on the report cover) are loaded, so a URL in the HTML can neither
reach the network nor read a file on the server.
"""

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured


def stylesheet_path(name):
    """The file on disk of the static stylesheet `name` (e.g. "css/report-print.css")."""
    path = finders.find(name)
    if not path:
        raise ImproperlyConfigured(f"The PDF stylesheet {name!r} is not in the static files.")
    return path


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


def render(html, stylesheets=(), base_url=None):
    """Lay out `html` with the static `stylesheets`: a weasyprint Document (pages, boxes)."""
    from weasyprint import CSS, HTML

    fetcher = _url_fetcher()
    css = [CSS(filename=stylesheet_path(name), url_fetcher=fetcher) for name in stylesheets]
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(stylesheets=css)


def write_pdf(html, stylesheets=(), base_url=None):
    """The PDF of `html` styled by the static `stylesheets`, as bytes."""
    return render(html, stylesheets, base_url=base_url).write_pdf()
