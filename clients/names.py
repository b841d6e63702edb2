"""Names as search and the duplicate check compare them.

"Siân O'Neill", "sian o’neill" (an iPhone's curly apostrophe) and "SIAN ONEILL" are the same
person typed three ways, so both sides of a comparison go through `fold()`: the stored
columns `Client.first_name_folded`, `last_name_folded` and `search_name`, and every search term.
This is done in Python rather than with PostgreSQL's `unaccent`, so SQLite (`make run`) and
the importer's bulk writes fold exactly the same way.
"""

import re
import unicodedata

# Every apostrophe a keyboard, phone or word processor produces; NFKD turns the full-width
# one into "'" and the acute accent into a space plus a combining mark, so they go first.
APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc\u02bb\u2032\uff07"
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
# Letters that NFKD leaves whole, written as a person typing without them would.
LETTERS = str.maketrans({
    "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h", "ŧ": "t",
})
_APOSTROPHE = re.compile(f"[{re.escape(APOSTROPHES)}]")
_SPACES = re.compile(f"[\\s{re.escape(HYPHENS)}]+")


def fold(text):
    """Lower-case, unaccented, without apostrophes; hyphens and runs of spaces become one space."""
    if not text:
        return ""
    text = _APOSTROPHE.sub("", text).casefold()
    text = unicodedata.normalize("NFKD", text)
    # Combining marks (accents) and invisible format characters (soft hyphens, zero-width spaces).
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    text = _APOSTROPHE.sub("", text.translate(LETTERS))
    return _SPACES.sub(" ", text).strip()


def folded_names(first_name, last_name, preferred_name=""):
    """The values of the client's folded columns for these names (also for bulk writes)."""
    first, last = fold(first_name), fold(last_name)
    return {
        "first_name_folded": first,
        "last_name_folded": last,
        "search_name": " ".join(part for part in (first, last, fold(preferred_name)) if part),
    }


FOLDED_FIELDS = tuple(folded_names("", ""))
NAME_FIELDS = ("first_name", "last_name", "preferred_name")
