"""Extension points for the apps above clients (contacts, outcomes, mentors, reports).

The client page belongs to clients, but much of what it shows (contacts, goals, the wheel,
achievements, offences) lives in apps that clients must not import. Each app, clients
included, puts what it adds in its own `client_page.py` (and its client-list columns and
filters in `client_list.py`); `autodiscover()` (called from ClientsConfig.ready()) imports
every installed app's `client_page` and `client_list` modules, and the pages render what
they registered.

    from clients.registry import Link, TimelineEvent, client_links, client_section, timeline_source

    @client_section(order=30, title="Progress", template="outcomes/sections/progress.html")
    def progress(request, client, cases):
        return {"wheel": ...}          # or None to leave the section out

    @timeline_source
    def contact_events(request, client, cases):
        return [TimelineEvent(on=c.date, kind="contact", title=..., detail=..., url=..., icon="contact")]

    @client_links("case", order=10)
    def allocate(request, client, cases):
        return [Link("Allocate a mentor", reverse("mentors:allocate", args=[pk]), case_id=pk) for pk in ...]

An event's icon is one of TIMELINE_ICONS, each drawn in static/vendor/bootstrap-icons/timeline.svg.

Every section and source must run a fixed number of queries, however long the history.

A case's state change that an upper app completes (mentors: closing a case ends its
allocations, resuming one looks for its lead mentor) is registered with `@case_change(name)`
and run with `change_case(name, case, ...)`: the case forms below mentors call it that way.
"""

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Section:
    order: int
    name: str
    title: str
    template: str
    context: object


# Every icon a timeline event may carry. Each name is a <symbol id> in
# static/vendor/bootstrap-icons/timeline.svg; add the drawing there when adding a name here.
TIMELINE_ICONS = frozenset({
    "referral", "decision", "contact", "group", "goal", "spend", "case", "closed", "paused", "resumed",
    "flag", "mentor", "ended", "wheel", "award", "clipboard", "lock", "unlock", "alert",
})


@dataclass
class TimelineEvent:
    on: date
    kind: str  # referral, decision, case, allocation, contact, goal, assessment, achievement, offence, closure
    title: str
    detail: str = ""
    url: str = ""
    at: datetime | None = None
    icon: str = field(default="")  # one of TIMELINE_ICONS, or "" for none

    def __post_init__(self):
        if self.icon and self.icon not in TIMELINE_ICONS:
            raise ValueError(f"Unknown timeline icon {self.icon!r}: add it to TIMELINE_ICONS and to the sprite.")

    @property
    def sort_key(self):
        return (self.on, self.at.timestamp() if self.at else 0)


CLIENT_SECTIONS = {}
TIMELINE_SOURCES = {}


def client_section(*, order, title, template):
    def register(func):
        CLIENT_SECTIONS[f"{func.__module__}.{func.__name__}"] = Section(
            order=order, name=func.__name__, title=title, template=template, context=func
        )
        return func

    return register


def timeline_source(func):
    TIMELINE_SOURCES[f"{func.__module__}.{func.__name__}"] = func
    return func


def autodiscover():
    """Import every installed app's `client_page` module (its part of the client page) and
    `client_list` module (its columns and filters on the client list), which register it."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("client_page", "client_list")


def sections_for(request, client, cases):
    rendered = []
    for section in sorted(CLIENT_SECTIONS.values(), key=lambda s: s.order):
        context = section.context(request, client, cases)
        if context is not None:
            rendered.append({"title": section.title, "template": section.template, "name": section.name, "data": context})
    return rendered


def timeline_for(request, client, cases):
    events = []
    for source in TIMELINE_SOURCES.values():
        events.extend(source(request, client, cases))
    return sorted(events, key=lambda e: e.sort_key, reverse=True)


@dataclass
class Link:
    """An action link of the client pages, given by the app whose page it opens."""

    label: str
    url: str
    case_id: int | None = None  # the case it acts on, for the per-case places
    note: str = ""  # words after the link


# Where the client pages show links (each `{% client_links place ... %}` in templates/clients):
# "main" the client page's main action; "page" small links under its header; "case" each case's
# buttons for leads and managers; "closing" the close-case page's "Before you close" note.
LINK_PLACES = ("main", "page", "case", "closing")
CLIENT_LINKS = {place: {} for place in LINK_PLACES}


def client_links(place, *, order):
    """Register `func(request, client, cases)` -> [Link] for one place. Access decisions are
    mentoring.access's; each function runs a fixed number of queries."""

    def register(func):
        CLIENT_LINKS[place][f"{func.__module__}.{func.__name__}"] = (order, func)
        return func

    return register


def links_for(place, request, client, cases):
    links = []
    for _order, func in sorted(CLIENT_LINKS[place].values(), key=lambda entry: entry[0]):
        links.extend(func(request, client, cases))
    return links


@dataclass
class CaseFilter:
    label: str
    cases: object  # (cases, on) -> the subset of those cases that needs this attention


# "Needs attention" choices of the client list, registered by the apps that know what is due.
CASE_FILTERS = {}
CASE_ANNOTATIONS = []


def case_filter(*, name, label):
    def register(func):
        CASE_FILTERS[name] = CaseFilter(label=label, cases=func)
        return func

    return register


def case_annotation(func):
    """`func(cases)` annotates the cases the client list shows (e.g. `last_attended_on`)."""
    CASE_ANNOTATIONS.append(func)
    return func


def annotate_cases(cases):
    for annotate in CASE_ANNOTATIONS:
        cases = annotate(cases)
    return cases


# The case changes an app above clients owns the whole of: "close" and "resume", registered by
# mentors.services. No default: a case is never closed here without its allocations ending.
CASE_CHANGES = {}


def case_change(name):
    """Register `func(case, **kwargs)` as the whole of the case change `name`."""

    def register(func):
        CASE_CHANGES[name] = func
        return func

    return register


def change_case(name, case, **kwargs):
    """Run the registered case change `name` ("close", "resume") on `case`."""
    return CASE_CHANGES[name](case, **kwargs)
