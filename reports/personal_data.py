"""Personal data in the reports app (see mentoring/personal_fields.py)."""

from mentoring.personal_fields import declare

from .models import CaseStudy

declare(CaseStudy, client="case__client_id", parent="case", personal=["title", "story"],
        erase={"title": "Anonymised"})
