import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, TemplateView

from mentoring import access, audit
from mentoring.utils import spreadsheet_safe

from . import exports
from .forms import CaseStudyForm, JusticeDataLabForm, ReportForm, SpendPeriodForm
from .match_engagement import engagement_by_match
from .metrics import cohort, compute_report, support_spend
from .models import CaseStudy

JDL_MINIMUM = 60


class ReportFormMixin(access.RoleRequiredMixin):
    """Reads the report's programmes, period and filters from GET (defaults when none given)."""

    allowed_roles = (access.LEAD, access.MANAGER)

    def get_form(self):
        user = self.request.user
        if self.request.GET:
            return ReportForm(data=self.request.GET, user=user)
        defaults = ReportForm.defaults(user)
        if not defaults["programmes"]:
            return ReportForm(initial=defaults, user=user)
        return ReportForm(data=defaults, user=user)

    def compute(self, form):
        data = form.cleaned_data
        return compute_report(data["programmes"], data["start"], data["end"], filters=form.filters)

    def export_detail(self, form):
        data = form.cleaned_data
        suppressed = bool(data.get("suppress"))
        return {"programmes": [p.code for p in data["programmes"]],
                "period": f"{data['start'].isoformat()}..{data['end'].isoformat()}",
                "suppressed": suppressed,
                "small_numbers": "hidden" if suppressed else "shown: confirmed for internal use only",
                # A mentor by id: the trail keeps ids and codes, not names.
                "filters": {k: v.pk if hasattr(v, "pk") else str(v) for k, v in form.filters.items() if v}}

    def quick_pick_redirect(self, form):
        """A quick pick (last month...) becomes explicit dates in the URL, so it can be shared."""
        query = self.request.GET.copy()
        query.pop("period", None)
        query["start"] = form.cleaned_data["start"].isoformat()
        query["end"] = form.cleaned_data["end"].isoformat()
        return HttpResponseRedirect(f"{self.request.path}?{query.urlencode()}")

    def filename(self, form, extension):
        data = form.cleaned_data
        codes = "-".join(p.code for p in data["programmes"])
        return f"report_{codes}_{data['start']:%Y-%m-%d}_{data['end']:%Y-%m-%d}.{extension}"


class ReportView(ReportFormMixin, TemplateView):
    template_name = "reports/report.html"

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_bound and form.is_valid() and form.cleaned_data.get("period"):
            return self.quick_pick_redirect(form)
        context = self.get_context_data(form=form)
        if form.is_bound and form.is_valid():
            suppress = form.cleaned_data["suppress"]
            if not suppress:
                audit.record(request.user, "report.viewed_unsuppressed", action=audit.Action.VIEW, request=request,
                             **self.export_detail(form))
            result = self.compute(form)
            data = form.cleaned_data
            studies = CaseStudy.objects.restrict(request.user, "manage").for_report(
                data["programmes"], data["start"], data["end"])
            context.update(exports.report_context(result, suppress=suppress, case_studies=studies))
            query = {key: value for key, value in request.GET.lists()} if request.GET else {
                "programmes": [p.pk for p in data["programmes"]], "start": [data["start"].isoformat()],
                "end": [data["end"].isoformat()]}
            context["query"] = urlencode(query, doseq=True)
            if not suppress:
                # Small groups by design: shown only in the internal (unsuppressed) page.
                cases = cohort([p.pk for p in data["programmes"]], data["start"], data["end"], form.filters)
                context["match_engagement"] = engagement_by_match(cases, data["end"])
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["quick_periods"] = ReportForm.base_fields["period"].choices[1:]
        context["can_export"] = access.can_export(self.request.user)
        return context


class ReportDownloadView(ReportFormMixin, View):
    extension = None

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if not (form.is_bound and form.is_valid()):
            problems = " ".join(str(error) for errors in form.errors.values() for error in errors)
            return HttpResponse(f"Choose at least one programme and a valid period. {problems}".strip(), status=400,
                                content_type="text/plain; charset=utf-8")
        result = self.compute(form)
        suppress = form.cleaned_data["suppress"]
        audit.record_export(request, f"report.{self.extension}", **self.export_detail(form))
        response = HttpResponse(self.render(form, result, suppress), content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename(form, self.extension)}"'
        return response


class ReportCSVView(ReportDownloadView):
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def render(self, form, result, suppress):
        return exports.report_csv(result, suppress=suppress)


class ReportPDFView(ReportDownloadView):
    extension = "pdf"
    content_type = "application/pdf"

    def render(self, form, result, suppress):
        data = form.cleaned_data
        studies = CaseStudy.objects.restrict(self.request.user, "manage").for_report(
            data["programmes"], data["start"], data["end"])
        return exports.report_pdf(result, suppress=suppress, case_studies=studies)


# ---- Support spend -----------------------------------------------------------------------


class SupportSpendListView(access.RoleRequiredMixin, TemplateView):
    """Support spend per programme (and per category) for leads and managers: the report's
    cohort and period rule (reports.metrics.support_spend), so the page and the report agree.
    Three queries whatever the number of programmes: the programmes, spend by programme and
    category, spend by programme."""

    allowed_roles = (access.LEAD, access.MANAGER)
    template_name = "reports/spend_list.html"

    def get_context_data(self, **kwargs):
        form = SpendPeriodForm(self.request.GET or None)
        context = {**super().get_context_data(**kwargs), "form": form, "rows": []}
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            programmes = list(access.reportable_programmes(self.request.user).order_by("name"))
            overall, by_programme = support_spend(cohort(programmes, start, end), start, end)
            context.update(start=start, end=end, overall=overall,
                           rows=[{"programme": p, "spend": by_programme[p.pk]} for p in programmes
                                 if p.pk in by_programme])
        return context


# ---- Case studies ------------------------------------------------------------------------


class CaseStudyCreateView(access.CaseScopedMixin, CreateView):
    """A lead, a manager or the case's current mentor writes an anonymised story."""

    model = CaseStudy
    form_class = CaseStudyForm
    template_name = "reports/case_study_form.html"

    def form_valid(self, form):
        form.instance.case = self.case
        form.instance.written_by = self.request.user
        response = super().form_valid(form)
        audit.record(self.request.user, "case_study.written", self.object)
        messages.success(self.request, "Case study saved. A manager decides whether it goes into reports.")
        return response

    def get_success_url(self):
        try:
            return reverse("clients:client_detail", kwargs={"pk": self.case.client_id})
        except Exception:  # noqa: BLE001 - the clients app may not expose the page
            return reverse("reports:case_study_list")

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, **kwargs)


class CaseStudyListView(access.RoleRequiredMixin, ListView):
    allowed_roles = (access.LEAD, access.MANAGER)
    template_name = "reports/case_study_list.html"
    context_object_name = "studies"
    paginate_by = 25

    def get_queryset(self):
        return (CaseStudy.objects.restrict(self.request.user, "manage")
                .select_related("case__programme", "written_by").order_by("-created_at"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_approve=access.is_manager(self.request.user), **kwargs)


@require_POST
@access.role_required(access.MANAGER)
def case_study_toggle(request, pk):
    """A manager ticks (or unticks) a case study for inclusion in reports."""
    study = get_object_or_404(CaseStudy.objects.restrict(request.user, "manage"), pk=pk)
    include = {"1": True, "0": False}.get(request.POST.get("include"))
    if include is None:
        messages.error(request, "This page is out of date: check the list and press again.")
        return redirect("reports:case_study_list")
    try:
        study.include_in_reports(include=include, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("reports:case_study_list")
    messages.success(request, f"“{study.title}” is {'now' if include else 'no longer'} included in reports.")
    return redirect("reports:case_study_list")


# ---- Justice Data Lab --------------------------------------------------------------------


class JusticeDataLabExportView(access.RoleRequiredMixin, TemplateView):
    """The cohort file the Ministry of Justice's Justice Data Lab asks for: managers only."""

    allowed_roles = (access.MANAGER,)  # the role access.can_export names
    denied_message = "Only managers may export the Justice Data Lab file."
    template_name = "reports/jdl_export.html"

    def people(self, form):
        """The report's cohort (reports.metrics.cohort), one row per person not anonymised."""
        data = form.cleaned_data
        from django.db.models import Min

        cases = cohort(data["programmes"], data["start"], data["end"])
        return (cases.filter(client__anonymised_at__isnull=True)
                .values("client_id", "client__last_name", "client__first_name", "client__date_of_birth",
                        "client__gender", "client__police_ref")
                .annotate(intervention_on=Min("started_on"))
                .order_by("client__last_name", "client__first_name", "client_id"))

    def get(self, request, *args, **kwargs):
        user = request.user
        if request.GET:
            form = JusticeDataLabForm(data=request.GET, user=user)
        else:
            form = JusticeDataLabForm(initial={"programmes": list(access.reportable_programmes(user)
                                                                  .values_list("pk", flat=True))}, user=user)
        context = self.get_context_data(form=form, minimum=JDL_MINIMUM)
        if form.is_bound and form.is_valid():
            people = self.people(form)
            if request.GET.get("download"):
                return self.download(form, people)
            context["cohort_size"] = people.count()
            context["download_query"] = request.GET.urlencode() + "&download=1"
        return self.render_to_response(context)

    def download(self, form, people):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["surname", "forename", "date_of_birth", "gender", "intervention_start_date", "pnc_id"])
        client_ids = []
        for row in people.iterator():
            client_ids.append(row["client_id"])
            writer.writerow([spreadsheet_safe(cell) for cell in (
                row["client__last_name"], row["client__first_name"], row["client__date_of_birth"].isoformat(),
                row["client__gender"], row["intervention_on"].isoformat(), row["client__police_ref"],
            )])
        data = form.cleaned_data
        # Who was in the file, by client id only (never names or police references), so a later
        # question "was this person sent to the Justice Data Lab?" has an answer.
        audit.record_export(self.request, "report.jdl_export", programmes=[p.code for p in data["programmes"]],
                            period=f"{data['start'].isoformat()}..{data['end'].isoformat()}",
                            people=len(client_ids), client_ids=sorted(client_ids))
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="justice_data_lab_{stamp}.csv"'
        return response
