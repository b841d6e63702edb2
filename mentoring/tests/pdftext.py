"""Reading a PDF back in tests: its text, and the size each run of text is printed at."""

import io

from pypdf import PdfReader


def text_sizes(pdf):
    """[(text, size in points)] for each run of text of the PDF `pdf` (bytes), page by page."""
    runs = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            runs.append((text.strip(), round(font_size * cm[0] * tm[0], 2)))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return runs


def size_of(pdf, text):
    """The size in points of the first run of text that is `text`."""
    return next(size for run, size in text_sizes(pdf) if run == text)
