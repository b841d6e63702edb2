"""The audit trail in words: who or what an event was about, and its detail, for a person.

An event stores ids and codes (mentoring.audit); this turns one page of events into "Mentor:
Marcus Webb", "Client: Sian O'Neill (ref W-0012)", "Period: 1 Jul to 30 Sep 2026". Names come
through the access door (mentoring.access), so a viewer sees only the names they may see;
anyone else is named by their kind and id. A page costs at most one query per kind of name
(clients, mentors, user accounts, programmes), however many rows it has.
"""

import re
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.utils import dateformat, timezone

from mentoring import access, audit
from mentoring.models import Programme

DATE = "j M Y"
DATETIME = "j M Y, H:i"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
ISO_PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
CODE = re.compile(r"^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+$")
# How auditlog writes an empty relation when a row is created: "clients.Case.None".
EMPTY_RELATION = re.compile(r"^\w+\.\w+\.None$")
# The change history's kinds (auditlog's LogEntry.Action: create, update, delete, access).
CHANGE_KINDS = {0: "Added", 1: "Changed", 2: "Deleted", 3: "Viewed"}

# The detail's keys as a person says them; any other key has its underscores read as spaces.
DETAIL_WORDS = {
    "attempt": "Attempt",
    "login": "Typed sign-in name",
    "reauthentication": "Confirming their password",
    "trigger": "Why",
    "via": "Through",
    "grant": "Role",
    "request_id": "Role request",
    "requested_by": "Asked by",
    "previous_user": "Sign-in account before",
    "new_user": "Sign-in account now",
    "added": "Roles added",
    "removed": "Roles taken away",
    "is_active": "Account active",
    "is_superuser": "Superuser",
    "is_staff": "Administration pages",
    "duplicate_check": "Duplicate check needed",
    "compared_with": "Compared with clients",
    "same_person": "Same person",
    "source": "Source",
    "programme": "Programme",
    "programmes": "Programmes",
    "case": "Case",
    "new_case": "New case",
    "reopens": "Reopens case",
    "referral": "Referral",
    "decided_on": "Decided on",
    "reason_given": "Reason given",
    "on": "On",
    "on_leave_until": "On leave until",
    "mentor": "Mentor",
    "role": "As",
    "overridden": "Matching rules overridden",
    "suggested": "Suggested by the matching",
    "cases": "Cases",
    "reallocated": "Cases moved",
    "ended": "Allocations ended",
    "back_to_allocate": "Cases back to allocate",
    "signed_out": "Signed out",
    "attendance": "Attendance",
    "appointment": "Booked session",
    "logged_contact": "Contact",
    "at": "At",
    "mode": "How",
    "version": "Version",
    "clients": "Clients",
    "amount": "Amount (£)",
    "stage": "Stage",
    "template": "Questionnaire",
    "domains": "Areas changed",
    "type": "Type",
    "fields": "Fields changed",
    "weeks": "Weeks in work",
    "in_work": "In work",
    "category": "Category",
    "kind": "Kind",
    "level": "Level",
    "active": "Active",
    "status": "Status",
    "format": "Format",
    "rows": "Rows",
    "filters": "Filters",
    "period": "Period",
    "suppressed": "Small numbers hidden",
    "small_numbers": "Small numbers",
    "people": "People in the file",
    "tab": "Tab",
    "date_from": "From",
    "date_to": "To",
    "action": "Kind",
    "event": "What happened",
    "user": "Who",
    "client_ids": "Clients",
    "files": "Files",
    "reason": "Reason",
    "username": "Username",
}
# Codes a detail holds as a value, in words; other codes have their underscores read as spaces.
VALUE_WORDS = {
    "pdf": "PDF",
    "csv": "CSV",
    "json": "JSON",
    "manage.py grant_role": "the command line",
}
# Keys whose value is the id of a mentor, or of a user account.
MENTOR_KEYS = {"mentor"}
USER_KEYS = {"requested_by", "previous_user", "new_user", "user"}
PROGRAMME_KEYS = {"programme", "programmes"}


def when(value):
    """A timestamp as "23 Nov 2026, 14:05" (local time)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, DATETIME)


def period_words(start, end):
    """"1 Jul to 30 Sep 2026"; the year on both ends only when they differ."""
    if start.year == end.year:
        return f"{dateformat.format(start, 'j M')} to {dateformat.format(end, DATE)}"
    return f"{dateformat.format(start, DATE)} to {dateformat.format(end, DATE)}"


def humanise(code):
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:].lower()


def person_name(user):
    return user.get_full_name() or user.get_username()


def client_words(client):
    """The client as the referral form's duplicate list names them: name, then reference."""
    if client.client_ref and not client.is_anonymised:
        return f"{client.display_name} (ref {client.client_ref})"
    return client.display_name


def _ids(value):
    values = value if isinstance(value, (list, tuple)) else [value]
    return [int(item) for item in values if isinstance(item, int) or (isinstance(item, str) and item.isdigit())]


class AuditWords:
    """Names and words for one page of audit events, looked up once for the page."""

    def __init__(self, viewer, events):
        self.personal = audit.PERSONAL_FIELDS
        user_label = settings.AUTH_USER_MODEL.lower()
        client_ids, mentor_ids, user_ids, codes = set(), set(), set(), set()
        for event in events:
            if event.client_id is not None:
                client_ids.add(event.client_id)
            if event.object_type == "clients.client":
                client_ids.update(_ids(event.object_id))
            elif event.object_type == "mentors.mentor":
                mentor_ids.update(_ids(event.object_id))
            elif event.object_type == user_label:
                user_ids.update(_ids(event.object_id))
            for key, value in self._items(event.detail):
                if key in MENTOR_KEYS:
                    mentor_ids.update(_ids(value))
                elif key in USER_KEYS:
                    user_ids.update(_ids(value))
                elif key in PROGRAMME_KEYS:
                    codes.update(value if isinstance(value, list) else [value])
        self.clients = self._load(access.visible_clients(viewer), client_ids)
        self.mentors = self._load(access.visible_mentors(viewer), mentor_ids)
        self.users = self._load(apps.get_model(settings.AUTH_USER_MODEL).objects.all(), user_ids)
        self.programmes = (
            dict(Programme.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
        )

    @staticmethod
    def _items(detail):
        """The detail's (key, value) pairs, those of nested filters included."""
        if not isinstance(detail, dict):
            return
        for key, value in detail.items():
            if isinstance(value, dict):
                yield from AuditWords._items(value)
            else:
                yield key, value

    @staticmethod
    def _load(queryset, ids):
        return {obj.pk: obj for obj in queryset.filter(pk__in=ids)} if ids else {}

    # ---- who or what ---------------------------------------------------------------------

    def client(self, pk):
        """"Client: Sian O'Neill (ref W-0012)", or "Client 12" for one the viewer may not see."""
        client = self.clients.get(pk)
        return f"Client: {client_words(client)}" if client is not None else f"Client {pk}"

    def mentor(self, pk):
        mentor = self.mentors.get(pk)
        return f"Mentor: {mentor}" if mentor is not None else f"Mentor {pk}"

    def user(self, pk):
        account = self.users.get(pk)
        if account is None:
            return f"User account {pk}"
        name = person_name(account)
        return f"User: {name}" if name == account.get_username() else f"User: {name} ({account.get_username()})"

    def target(self, event):
        """What the event was about, by kind and name: "Mentor: Marcus Webb"."""
        if not event.object_type:
            return ""
        pk = _ids(event.object_id)
        if event.object_type == "clients.client" and pk:
            return self.client(pk[0])
        if event.object_type == "mentors.mentor" and pk:
            return self.mentor(pk[0])
        if event.object_type == settings.AUTH_USER_MODEL.lower() and pk:
            return self.user(pk[0])
        try:
            kind = apps.get_model(event.object_type)._meta.verbose_name
        except (LookupError, ValueError):
            kind = "record"
        kind = kind[:1].upper() + kind[1:]
        return f"{kind} {event.object_id}".strip()

    # ---- detail --------------------------------------------------------------------------

    def detail(self, detail):
        """The detail as "Key: value" parts, personal fields masked (mentoring.audit)."""
        if not isinstance(detail, dict) or not detail:
            return []
        # An empty set of filters says nothing: left out.
        return [f"{self.key(key)}: {self.value(key, value)}" for key, value in detail.items() if value != {}]

    def key(self, key):
        return DETAIL_WORDS.get(key) or humanise(str(key))

    def value(self, key, value):
        if key in self.personal:
            return audit.mask_personal(value) or "—"
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        if key == "client_ids":
            count = len(value) if isinstance(value, list) else 1
            return f"{count} client{'s' if count != 1 else ''}"
        if key in MENTOR_KEYS:
            return ", ".join(self.mentor(pk).removeprefix("Mentor: ") for pk in _ids(value)) or "—"
        if key in USER_KEYS:
            return ", ".join(self.user(pk).removeprefix("User: ") for pk in _ids(value)) or "—"
        if key in PROGRAMME_KEYS:
            codes = value if isinstance(value, list) else [value]
            return ", ".join(self.programmes.get(code) or humanise(str(code)) for code in codes)
        if key == "action" and value in audit.Action.values:
            return audit.Action(value).label
        if key == "event":
            return audit.event_label(value)
        if isinstance(value, dict):
            return "; ".join(f"{self.key(k)}: {self.value(k, v)}" for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return ", ".join(self.value(None, item) for item in value)
        return words(value)


def words(value):
    """One stored value in words: dates, periods and codes as a person reads them."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return dateformat.format(value, DATE)
    if not isinstance(value, str):
        return str(value)
    if value in VALUE_WORDS:
        return VALUE_WORDS[value]
    if EMPTY_RELATION.match(value):
        return "—"
    if match := ISO_PERIOD.match(value):
        return period_words(date.fromisoformat(match[1]), date.fromisoformat(match[2]))
    if ISO_DATE.match(value):
        return dateformat.format(date.fromisoformat(value), DATE)
    if ISO_DATETIME.match(value):
        try:
            return when(datetime.fromisoformat(value))
        except ValueError:
            return value
    if CODE.match(value):
        return humanise(value)
    return value
