"""The timeline's icons: every icon name has a drawing in the sprite, and the client page uses it."""

import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from clients.registry import TIMELINE_ICONS, TimelineEvent
from tests.world import mentor_profile, open_case

SPRITE = "vendor/bootstrap-icons/timeline.svg"
SVG = "{http://www.w3.org/2000/svg}"


def _sprite_symbols():
    path = finders.find(SPRITE)
    assert path, f"static/{SPRITE} is missing"
    root = ET.parse(path).getroot()  # noqa: S314 (our own vendored file, not untrusted input)
    return {symbol.get("id"): symbol for symbol in root.iter(f"{SVG}symbol")}


def test_every_timeline_icon_name_has_a_drawing_in_the_sprite():
    symbols = _sprite_symbols()
    missing = sorted(TIMELINE_ICONS - symbols.keys())
    assert not missing, f"timeline.svg has no <symbol> for {missing}"
    for name in TIMELINE_ICONS:
        assert symbols[name].get("viewBox") == "0 0 16 16", name
        assert symbols[name].find(f"{SVG}path") is not None, f"symbol {name!r} draws nothing"


def test_a_timeline_event_refuses_an_icon_the_sprite_does_not_know():
    with pytest.raises(ValueError, match="sparkles"):
        TimelineEvent(on=date(2026, 1, 5), kind="contact", title="Met", icon="sparkles")
    assert TimelineEvent(on=date(2026, 1, 5), kind="contact", title="Met").icon == ""
    assert TimelineEvent(on=date(2026, 1, 5), kind="contact", title="Met", icon="contact").icon == "contact"


class _IconUses(HTMLParser):
    """Collects each <use> inside an <svg>, with the attributes of that svg."""

    def __init__(self):
        super().__init__()
        self.svg = None
        self.uses = []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svg = dict(attrs)
        elif tag == "use" and self.svg is not None:
            self.uses.append((self.svg, dict(attrs).get("href") or ""))

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None


@pytest.mark.django_db
def test_the_client_page_shows_a_contact_as_a_hidden_sprite_icon_not_a_word(client, mentor_user, programme):
    alice = mentor_profile(mentor_user, programme)
    my_client, _, _, _ = open_case("Mina", "Mycase", programme, mentor=alice)  # with one contact
    client.force_login(mentor_user)
    body = client.get(reverse("clients:client_detail", args=[my_client.pk])).content.decode()

    parser = _IconUses()
    parser.feed(body)
    contact_icons = [svg for svg, href in parser.uses if href.endswith("/timeline.svg#contact")]
    assert contact_icons, "no timeline.svg#contact icon on the page"
    for svg in contact_icons:
        assert svg.get("aria-hidden") == "true" and svg.get("focusable") == "false"
        assert "timeline-icon" in svg.get("class", "").split()
    # Every icon on the page points at a symbol the sprite has.
    symbols = _sprite_symbols()
    assert {href.rpartition("#")[2] for _, href in parser.uses} <= symbols.keys()
    # The old word badge ("contact" in a light badge) is gone.
    assert 'aria-hidden="true">contact</span>' not in body
    assert "badge text-bg-light border" not in body
