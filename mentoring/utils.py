"""Small helpers every app's views share."""

from decimal import Decimal

from django.utils.http import url_has_allowed_host_and_scheme

# Spreadsheets run a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_next(request, fallback):
    """Back to where the user came from (`?next=`), if it is one of our own pages."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def spreadsheet_safe(value):
    """A CSV cell that cannot run as a formula: a leading = + - @ (or tab/CR) gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value  # a number is never a formula, and a funder's sheet should see a number
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def is_stale(error):
    """A ValidationError raised because someone changed the record since the page was shown
    (code "stale"): the view says what happened instead of showing the form's errors."""
    return getattr(error, "code", None) == "stale"


def mid_sentence(label):
    """A label as it reads inside a sentence: 'Work boots, clothing and PPE' becomes 'work boots,
    clothing and PPE'. Only a first word that is not an acronym is lower-cased, so 'ID documents'
    and 'PPE' stay as written (`.lower()` would give 'id documents', 'ppe')."""
    text = str(label)
    first = text.split(" ", 1)[0]
    if not first or (len(first) > 1 and first[:2].isupper()):
        return text
    return text[0].lower() + text[1:]
