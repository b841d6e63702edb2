"""Personal data in the outcomes app (see mentoring/personal_fields.py)."""

from mentoring.personal_fields import declare

from .models import (
    Achievement,
    AchievementType,
    Answer,
    Assessment,
    AssessmentTemplate,
    CustodyPeriod,
    Domain,
    Offence,
    OffenceCategory,
    ProgrammeQuestion,
    Question,
    Questionnaire,
    Score,
)

declare(AssessmentTemplate, kept={"code": "code", "name": "configuration"})
declare(Domain, kept=["code", "label", "prompt_low", "prompt_mid", "prompt_high"])
declare(Assessment, client="case__client_id", parent="case", kept={"stage": "code"})
declare(Score, client="assessment__case__client_id", parent="assessment", personal=["comment"])
declare(AchievementType, kept={"code": "code", "name": "configuration", "category": "code"})
declare(Achievement, client="case__client_id", parent="case",
        personal=["achievement_ref", "employer_or_course", "notes"], kept={"level": "qualification level"})
declare(OffenceCategory, kept={"code": "code", "name": "configuration", "source": "where the cost comes from",
                               "price_year": "configuration"})
declare(Offence, client="client_id", parent="client", personal=["description"], kept={"source": "code"})
declare(CustodyPeriod, client="client_id", parent="client", kept={"reason": "code"})
declare(Question, kept=["code", "name", "text"])
declare(ProgrammeQuestion)  # configuration: which statements a programme asks
declare(Questionnaire, client="case__client_id", parent="case", personal=["comments"])
declare(Answer, client="questionnaire__case__client_id", parent="questionnaire")
