"""Personal data in the dataio app (see mentoring/personal_fields.py)."""

from mentoring.personal_fields import declare

from .models import ErasureRequest

declare(ErasureRequest, kept={"reason": "for the audit; refused when it names the person", "status": "code"})
