"""Personal data in the reports app (see mentoring/personal_fields.py)."""

from mentoring.personal_fields import declare

from .models import CaseStudy, Target

declare(CaseStudy, client="case__client_id", parent="case", personal=["title", "story"],
        erase={"title": "Anonymised"})
declare(Target, kept={"figure": "code", "note": "configuration: the contract or letter a target comes from"})
