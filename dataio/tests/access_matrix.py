"""Access matrix rows of dataio (tests/test_access_matrix.py).

Import rows are kept here; the privacy pages' rows live in access_matrix_privacy.py.
"""

from mentoring.tests.access import Row

IMPORT_ROWS = [
    # Only administrators import data; everyone else signed in gets 403.
    Row("dataio:import_upload", default=403, administrator=200),
    # An empty upload: the form answers with its error, still 200 for an administrator.
    Row("dataio:import_upload", method="post", data=lambda w: {}, default=403, administrator=200, label="post"),
    # Nothing was checked in this session: back to the upload page.
    Row("dataio:import_confirm", method="post", data=lambda w: {"token": "0" * 32}, default=403, administrator=302),
    Row("dataio:import_template", lambda w: {"name": "contacts.csv"}, default=403, administrator=200),
    Row("dataio:import_template", lambda w: {"name": "nothing.csv"}, default=403, administrator=404, label="unknown"),
]

try:
    from .access_matrix_privacy import PRIVACY_ROWS
except ImportError:
    PRIVACY_ROWS = []

MATRIX = IMPORT_ROWS + PRIVACY_ROWS
