"""The privacy front door: one name for the views, commands and tests.

The work is done in `records` (which rows are the client's), `retention`, `erasure` (anonymisation
and erasure on request, with the policy in its docstring) and `subject_access`.
"""

from .erasure import (
    ANONYMISED_FIRST_NAME,
    ANONYMISED_LAST_NAME,
    anonymise_client,
    anonymised_date_of_birth,
    approve_erasure,
    cancel_erasure,
    reason_names_the_person,
    request_erasure,
)
from .records import change_history_q, client_models, client_rows
from .retention import apply_retention, clients_due_for_anonymisation, retention_cutoff
from .subject_access import Field, display_value, subject_access_document, subject_access_sections

__all__ = ["ANONYMISED_FIRST_NAME", "ANONYMISED_LAST_NAME", "Field", "anonymise_client",
           "anonymised_date_of_birth", "apply_retention", "approve_erasure", "cancel_erasure", "change_history_q",
           "client_models", "client_rows", "clients_due_for_anonymisation", "display_value", "reason_names_the_person",
           "request_erasure", "retention_cutoff", "subject_access_document", "subject_access_sections"]
