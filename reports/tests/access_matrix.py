"""Access rows for the reports' URLs: leads and managers report; mentors write case studies of their cases."""

from datetime import date

from mentoring.tests.access import Row
from reports.models import CaseStudy

REPORTERS = dict(lead=200, manager=200)


def _study(case):
    return CaseStudy.objects.create(case=case, title="A fresh start", story="Someone found work.",
                                    consent_given_on=date(2026, 1, 5)).pk


MATRIX = [
    Row("reports:report", **REPORTERS),
    Row("reports:report_pdf", **REPORTERS),
    Row("reports:report_csv", **REPORTERS),
    Row("reports:case_study_list", **REPORTERS),
    Row("reports:case_study_create", lambda w: {"pk": w.my_case.pk}, label="mine", mentor=200, lead=200, manager=200),
    Row("reports:case_study_create", lambda w: {"pk": w.past_case.pk}, label="past", mentor=404, lead=200, manager=200),
    Row("reports:case_study_create", lambda w: {"pk": w.other_case.pk}, label="other", mentor=404, lead=200,
        manager=200),
    Row("reports:case_study_create", lambda w: {"pk": w.far_case.pk}, label="far", mentor=404, lead=404, manager=200),
    Row("reports:case_study_toggle", lambda w: {"pk": _study(w.my_case)}, method="post", label="mine", manager=302),
    Row("reports:case_study_toggle", lambda w: {"pk": _study(w.far_case)}, method="post", label="far", manager=302),
    Row("reports:jdl_export", manager=200),
    Row("reports:spend_list", **REPORTERS),
]
