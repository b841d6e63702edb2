"""The DBS Update Service: checking a mentor's certificate status at the source.

An organisation registered with the Update Service may ask, for a certificate whose holder
subscribed and consented, whether anything has changed since it was issued (the Multiple
Status Check Facility: one HTTP GET per certificate, an XML answer). Off unless
`DBS_STATUS_CHECKS_ENABLED`. A `NEW_INFO` or `NO_MATCH_FOUND` answer flags the mentor for a
lead's review, and the mentor is not vetted until a lead records one.
"""

from urllib.error import URLError
from urllib.parse import quote, urlencode
from urllib.request import urlopen

from defusedxml import ElementTree
from django.conf import settings

from mentoring import audit

from .models import Mentor

TIMEOUT_SECONDS = 15


class StatusCheckFailed(Exception):
    """The Update Service could not be asked, or gave an answer we cannot read."""


def status_url(mentor):
    query = urlencode({
        "dateOfBirth": mentor.date_of_birth.strftime("%d/%m/%Y") if mentor.date_of_birth else "",
        "surname": mentor.last_name,
        "hasAgreedTermsAndConditions": "true",
        "organisationName": settings.DBS_ORGANISATION_NAME,
        "employeeForename": settings.DBS_CHECKER_FORENAME,
        "employeeSurname": settings.DBS_CHECKER_SURNAME,
    })
    base = settings.DBS_UPDATE_SERVICE_URL.rstrip("/")
    return f"{base}/{quote(mentor.dbs_certificate_number.strip())}?{query}"


def parse_status(body):
    """The `statusCheckResultType` of an Update Service answer (entities and DTDs refused)."""
    try:
        root = ElementTree.fromstring(body)
    except Exception as error:  # defusedxml raises several kinds for hostile or broken XML
        raise StatusCheckFailed(f"The Update Service's answer could not be read ({type(error).__name__}).") from error
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "statusCheckResultType":
            value = (element.text or "").strip()
            if value in Mentor.DbsStatus.values:
                return value
            raise StatusCheckFailed(f"The Update Service answered an unknown status: {value[:40]!r}.")
    raise StatusCheckFailed("The Update Service's answer holds no status.")


def check_status(mentor, *, by=None):
    """Ask the Update Service about `mentor`'s certificate and record the answer. Returns the status."""
    if not settings.DBS_STATUS_CHECKS_ENABLED:
        raise StatusCheckFailed("DBS status checks are not enabled for this organisation.")
    if not mentor.dbs_certificate_number.strip():
        raise StatusCheckFailed(f"{mentor} has no DBS certificate number recorded.")
    try:
        with urlopen(status_url(mentor), timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - a configured https URL
            body = response.read(100_000)
    except (URLError, OSError) as error:
        raise StatusCheckFailed(f"The Update Service could not be reached ({error.__class__.__name__}).") from error
    status = parse_status(body)
    mentor.record_dbs_status(status)
    audit.record(by, "mentor.dbs_status_checked", mentor, status=status)
    return status
