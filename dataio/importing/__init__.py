"""The CSV import of docs/import.md, split along its seams.

- `parsers`: one cell to one value (or a message); `specs`: the files, their columns and the
  writer registered on each; `reading`: a file's lines and header; `importer`: the two passes
  (check, then write) and the checks across rows; `sync`, `writers`, `contacts`: the writes.
"""

from .importer import Importer, find_files, run_import
from .report import FileResult, ImportReport, Problem
from .specs import FILE_NAMES, FILES, SPECS, template_csv

__all__ = ["FILES", "FILE_NAMES", "SPECS", "FileResult", "ImportReport", "Importer", "Problem", "find_files",
           "run_import", "template_csv"]
