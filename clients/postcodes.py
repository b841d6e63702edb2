"""UK postcodes as people read them: capitals, one space before the last three characters."""

import re

UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def tidy_postcode(value):
    """'sa151aa', ' SA15  1AA ' and 'Sa15 1aa' all become 'SA15 1AA'.

    Anything that is not a UK postcode is kept as typed, in capitals, with runs of spaces as one.
    """
    typed = " ".join((value or "").split()).upper()
    found = UK_POSTCODE.match(typed.replace(" ", ""))
    return f"{found[1]} {found[2]}" if found else typed
