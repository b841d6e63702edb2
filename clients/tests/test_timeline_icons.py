"""The timeline's icons: every icon name has a drawing in the sprite."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.contrib.staticfiles import finders

from clients.registry import TIMELINE_ICONS, TimelineEvent

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
