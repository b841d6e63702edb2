"""Reading an import file: lines in any ending, UTF-8 checked, header checked, rows as dicts."""

import csv
import re

MAX_COLUMNS = 100  # far more than any file has: a wider header is not an import file
# Control characters have no place in a cell (tab and line breaks aside): a NUL cannot even be
# stored in PostgreSQL, and the others are debris of a broken export.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
NOT_UTF8 = "not valid UTF-8 text: save the file as \"CSV UTF-8\""


def _split_lines(handle):
    """The file's lines with their endings: LF, CRLF, or CR alone (old Mac files)."""
    for raw in handle:  # split at LF; a CR elsewhere than before it ends a line too
        cr = raw.count(b"\r")
        if not cr or cr == 1 and raw.endswith(b"\r\n"):
            yield raw
        else:
            yield from _LINE.findall(raw)


def _looks_like_utf16(start):
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    # Without its byte-order mark, ASCII in UTF-16 is every other byte NUL.
    return len(start) >= 4 and (start[1] == start[3] == 0 or start[0] == start[2] == 0)


class _Lines:
    """Decode a binary file line by line, noting lines that are not UTF-8 and lines holding
    control characters (a UTF-8 byte-order mark is dropped)."""

    def __init__(self, handle):
        self.handle = handle
        self.bad = False
        self.control = False
        self.encoding_guess = None  # set on the first line that is not UTF-8

    def __iter__(self):
        first = True
        for raw in _split_lines(self.handle):
            if first:
                first = False
                if raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad = True
                if self.encoding_guess is None:
                    self.encoding_guess = _guess_encoding(raw)
                line = raw.decode("utf-8", "replace")
            if CONTROL.search(line):
                self.control = True
            yield line


def _guess_encoding(raw):
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return "an unknown encoding"
    return "Windows-1252 or Latin-1"


def _control_message(cell):
    found = CONTROL.search(cell).group()
    return f"contains a control character (U+{ord(found):04X}) that cannot be imported: remove it"


def read_rows(path, spec, problem):
    """Yield (row number, {column: stripped cell}) for each non-blank row of a CSV file.

    Header problems (unknown, repeated or missing columns) are reported through `problem` and
    the readable columns are still checked row by row, so one typo does not hide the rest.
    A file that cannot be an import file (UTF-16, a header of thousands of columns) is one
    problem, and its rows are not read.
    """
    name = spec.name
    with open(path, "rb") as handle:
        if _looks_like_utf16(handle.read(4)):
            problem(name, 1, "-", "the file is not UTF-8 (it looks like UTF-16): save it as CSV UTF-8")
            return
        handle.seek(0)
        lines = _Lines(handle)
        reader = csv.reader(iter(lines))
        header = _read_header(reader, spec, problem)
        if header is None:
            return
        if lines.bad:
            problem(name, 1, "-", NOT_UTF8)
        columns = _header_columns(header, spec, problem)
        row_number = 1
        guessed = lines.encoding_guess is not None
        while True:
            lines.bad = lines.control = False
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_number += 1
                problem(name, row_number, "-", f"this row cannot be read: {exc}")
                continue
            row_number += 1
            if not any(cell.strip() for cell in cells):
                continue
            guessed = _row_problems(lines, cells, columns, name, row_number, problem, guessed)
            yield row_number, _row_dict(columns, cells)


def _read_header(reader, spec, problem):
    """The header row's cells, or None (after reporting why) when the file has no usable header."""
    name = spec.name
    try:
        header = next(reader)
    except StopIteration:
        problem(name, 1, "-", "the file is empty: it needs a header row with the column names")
        return None
    except csv.Error as exc:
        problem(name, 1, "-", f"the header row cannot be read: {exc}")
        return None
    if len(header) > MAX_COLUMNS:
        problem(name, 1, "-", f"the header row has {len(header):,} columns; an import file has at most "
                              f"{MAX_COLUMNS} (this file's columns are: {', '.join(spec.column_names)})")
        return None
    return header


def _header_columns(header, spec, problem):
    """The column each header cell names (None for a blank, unknown or repeated one); reports
    those and any required column that is missing."""
    name = spec.name
    columns = []
    seen = set()
    for raw_name in header:
        column = raw_name.strip().lower()
        if not column:
            columns.append(None)
            continue
        if CONTROL.search(column):
            problem(name, 1, "-", f"a column name {_control_message(column)}")
            columns.append(None)
        elif column not in spec.column_names:
            problem(name, 1, raw_name.strip(), f"unknown column (this file's columns are: {', '.join(spec.column_names)})")
            columns.append(None)
        elif column in seen:
            problem(name, 1, column, "this column appears twice")
            columns.append(None)
        else:
            seen.add(column)
            columns.append(column)
    for column in spec.required:
        if column not in seen:
            problem(name, 1, column, "required column is missing")
    return columns


def _row_problems(lines, cells, columns, name, row_number, problem, guessed):
    """Report a row's undecodable or control characters and surplus cells. Returns whether the
    file's likely encoding has now been reported (it is, once, on the first bad row)."""
    width = len(columns)
    if lines.bad:
        if not guessed:
            guessed = True
            problem(name, 1, "-", f"the file is not UTF-8 (it looks like {lines.encoding_guess}): save it as CSV UTF-8")
        bad_columns = [columns[i] or f"column {i + 1}" for i, cell in enumerate(cells[:width]) if "\ufffd" in cell]
        problem(name, row_number, ", ".join(bad_columns) or "-", NOT_UTF8)
    if lines.control:
        for i, cell in enumerate(cells[:width]):
            if CONTROL.search(cell):
                problem(name, row_number, columns[i] or f"column {i + 1}", _control_message(cell))
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        problem(name, row_number, "-", f"this row has {len(cells):,} cells but the header names {width} columns")
    return guessed


def _row_dict(columns, cells):
    """{column: stripped cell} for the row's readable columns; a short row's missing cells are ""."""
    row = {}
    for position, column in enumerate(columns):
        if column is None:
            continue
        row[column] = cells[position].strip() if position < len(cells) else ""
    return row
