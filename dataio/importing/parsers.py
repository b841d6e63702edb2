"""Cell parsers of the import files: each turns a stripped cell into a value or raises
`Invalid` with a message in the user's words (docs/import.md)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email


class Invalid(Exception):
    """A cell's value is not acceptable; the message says why, in the user's words."""


INVALID = object()  # the parsed value of a cell that failed its check


def ok(value):
    return value is not None and value is not INVALID


BOOLEANS = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


def parse_date(value, _ctx=None):
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(f'"{value}" is not a date: use YYYY-MM-DD, e.g. 2024-03-31')


def past_date(value, ctx):
    """A date of something that has happened: not after the day of the import."""
    day = parse_date(value)
    if day > ctx.today:
        raise Invalid(f"{value} is in the future: this date cannot be after today ({ctx.today.isoformat()})")
    return day


def parse_bool(value, _ctx=None):
    try:
        return BOOLEANS[value.lower()]
    except KeyError:
        raise Invalid(f'"{value}" is not yes or no (use yes/no, true/false, 1/0 or y/n)') from None


def integer(minimum=None, maximum=None):
    def parse(value, _ctx=None):
        try:
            number = int(value)
        except ValueError:
            raise Invalid(f'"{value}" is not a whole number') from None
        if minimum is not None and number < minimum or maximum is not None and number > maximum:
            if maximum is None:
                raise Invalid(f"{number} is too small: the least allowed is {minimum}")
            raise Invalid(f"{number} is out of range: use {minimum} to {maximum}")
        return number

    return parse


def rating_or_not_asked():
    """An exit-questionnaire answer: 1 to 5, or `not_asked` (stored as an answer with no rating)."""
    rating = integer(1, 5)

    def parse(value, _ctx=None):
        if value.strip().lower().replace(" ", "_") == "not_asked":
            return None
        if not value.strip().lstrip("-").isdigit():
            raise Invalid(f'"{value}" is not an answer: use 1 to 5, or not_asked')
        return rating(value)  # a number out of range says so

    return parse


def _field(model, name):
    return model._meta.get_field(name)


def text(model=None, name=None):
    """Text for the model field `name`, checked against its max_length (a TextField has none)."""
    max_length = _field(model, name).max_length if model else None

    def parse(value, _ctx=None):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if max_length and len(value) > max_length:
            raise Invalid(f"is {len(value)} characters long; at most {max_length} fit")
        return value

    parse.field = _field(model, name) if model else None
    parse.max_length = max_length
    return parse


def email(model, name):
    max_length = _field(model, name).max_length

    def parse(value, _ctx=None):
        if len(value) > max_length:
            raise Invalid(f"is {len(value)} characters long; at most {max_length} fit")
        try:
            validate_email(value)
        except ValidationError:
            raise Invalid(f'"{value}" is not an email address') from None
        return value

    parse.field = _field(model, name)
    parse.max_length = max_length
    return parse


def choice(choices):
    allowed = [str(c) for c in choices.values]

    def parse(value, _ctx=None):
        code = value.lower()
        if code not in allowed:
            raise Invalid(f'"{value}" is not one of: {", ".join(allowed)}')
        return code

    return parse


def code(table, label):
    def parse(value, ctx):
        key = value.lower()
        if key not in ctx.codes[table]:
            raise Invalid(f'unknown {label} code "{value}"')
        return key

    return parse


def codes(table, label):
    """A `;`-separated list of codes; returned sorted and without repeats."""

    def parse(value, ctx):
        found, unknown = set(), []
        for part in value.split(";"):
            key = part.strip().lower()
            if not key:
                continue
            if key in ctx.codes[table]:
                found.add(key)
            else:
                unknown.append(part.strip())
        if unknown:
            raise Invalid(f"unknown {label} code{'s' if len(unknown) > 1 else ''} " + ", ".join(f'"{u}"' for u in unknown))
        return tuple(sorted(found))

    return parse


REF_SOURCES = {
    "programme": "programmes.csv",
    "mentor": "mentors.csv",
    "client": "clients.csv",
    "referral": "referrals.csv",
    "case": "cases.csv",
}


def ref(kind):
    """A reference to a row of an earlier file of this import or to a record in the database."""

    def parse(value, ctx):
        if value in ctx.in_files[kind] or value in ctx.db[kind]:
            return value
        raise Invalid(f'"{value}" is not in {REF_SOURCES[kind]} nor in the database')

    return parse


def refs(kind):
    def parse(value, ctx):
        found, unknown = set(), []
        for part in value.split(";"):
            item = part.strip()
            if not item:
                continue
            if item in ctx.in_files[kind] or item in ctx.db[kind]:
                found.add(item)
            else:
                unknown.append(item)
        if unknown:
            raise Invalid(", ".join(f'"{u}"' for u in unknown) + f" not in {REF_SOURCES[kind]} nor in the database")
        return tuple(sorted(found))

    return parse

