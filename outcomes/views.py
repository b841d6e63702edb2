"""The outcomes pages: assessments (the progress wheel), achievements and the exit questionnaire.
Offences and custody are in offence_views.py.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, FormView, TemplateView, UpdateView

from mentoring import access, audit
from mentoring.locking import VERSION_FIELDS, ConflictMixin
from mentoring.utils import safe_next

from . import services
from .forms import (
    AchievementForm,
    AchievementUpdateForm,
    AssessmentEditForm,
    AssessmentForm,
    EmploymentCheckForm,
    QuestionnaireForm,
)
from .models import Achievement, Answer, Assessment, AssessmentTemplate, Domain, Question
from .progress import build_wheel


def client_page_url(client_id):
    return reverse("clients:client_detail", kwargs={"pk": client_id})


class CaseMixin(access.CaseScopedMixin):
    """Views under a case (`pk`), with a link back to the client's page."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, client=self.case.client, client_url=client_page_url(self.case.client_id), **kwargs)


# ---- Assessments --------------------------------------------------------------------------


class AssessmentCreateView(CaseMixin, FormView):
    """Score the wheel with the client: all domains on one page, or one at a time (?step=0).

    Step mode is a chain of ordinary posts: each step shows one part of the same form and
    carries what was already typed in hidden fields, so both modes post the same data and
    nothing typed is lost; only the last step saves.
    """

    template_name = "outcomes/assessment_form.html"
    form_class = AssessmentForm

    @cached_property
    def offered_templates(self):
        """The active templates, the case's programme's own first (AssessmentTemplate.offered_for)."""
        return AssessmentTemplate.objects.offered_for(self.case.programme)

    @cached_property
    def wheel_template(self):
        code = self.request.POST.get("template") or self.request.GET.get("template")
        offered = self.offered_templates
        template = next((t for t in offered if t.code == code), None) or next(iter(offered), None)
        if template is None:
            raise Http404("No assessment template is active. An administrator can add one.")
        return template

    @cached_property
    def other_templates(self):
        return [t for t in self.offered_templates if t.pk != self.wheel_template.pk]

    @property
    def step_mode(self):
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return "step" in source

    @cached_property
    def step(self):
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        try:
            return max(0, int(source.get("step", 0)))
        except ValueError:
            return 0

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(case=self.case, template=self.wheel_template)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        stage = self.request.GET.get("stage")
        if stage in dict(Assessment.Stage.choices):
            initial["stage"] = stage
        elif not self.case.assessments.exists():
            initial["stage"] = Assessment.Stage.INITIAL
        return initial

    # Steps: 0 = date and stage; 1..N = one domain each.
    def step_fields(self, form, step):
        if step == 0:
            return ["assessed_on", "stage"]
        domain = form.domains[step - 1]
        return [f"score_{domain.code}", f"comment_{domain.code}"]

    def step_of_field(self, form, name):
        if name in ("assessed_on", "stage") or name == "__all__":
            return 0
        for number, domain in enumerate(form.domains, start=1):
            if name in (f"score_{domain.code}", f"comment_{domain.code}"):
                return number
        return 0

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        valid = form.is_valid()
        if not self.step_mode:
            return self.form_valid(form) if valid else self.form_invalid(form)
        last = len(form.domains)
        step = min(self.step, last)
        action = request.POST.get("action", "next")
        if form.AS_REVIEW in request.POST or form.CONFIRM_GAP in request.POST:
            action = "save"  # an answer to the form's question: save what was typed
        if action == "back":
            return self.render_step(form, max(0, step - 1), show_errors=False)
        if action == "save" or step == last:
            if valid:
                return self.form_valid(form)
            first_error = min(self.step_of_field(form, name) for name in form.errors)
            return self.render_step(form, first_error, show_errors=True)
        if any(name in form.errors for name in self.step_fields(form, step)):
            return self.render_step(form, step, show_errors=True)
        return self.render_step(form, step + 1, show_errors=False)

    def render_step(self, form, step, *, show_errors):
        return self.render_to_response(self.get_context_data(form=form, current_step=step, show_errors=show_errors))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context.update(wheel_template=self.wheel_template, other_templates=self.other_templates, step_mode=self.step_mode)
        domain_fields = form.domain_fields()
        if self.step_mode:
            step = min(kwargs.get("current_step", self.step), len(domain_fields))
            visible = self.step_fields(form, step)
            show_errors = kwargs.get("show_errors", False)
            shown = form
            if form.is_bound and not show_errors:
                # Arriving at a step: show what was typed, without "required" errors for
                # fields the person has not reached yet.
                shown = self.form_class(
                    initial={name: form.data.get(name) for name in form.fields if name in form.data},
                    **{k: v for k, v in self.get_form_kwargs().items() if k not in ("data", "files", "initial")},
                )
                context["form"] = shown
            context.update(
                current_step=step,
                step_count=len(domain_fields),
                visible_domains=[d for d in shown.domain_fields() if d.number == step],
                show_details=step == 0,
                carried=[
                    (name, value)
                    for name in form.fields
                    if name not in visible and name not in VERSION_FIELDS and form.is_bound
                    for value in form.data.getlist(name)
                ],
                error_list=self.error_summary(form, visible if show_errors else []),
                show_errors=show_errors,
            )
        else:
            context.update(
                visible_domains=domain_fields,
                show_details=True,
                carried=[],
                error_list=self.error_summary(form, list(form.fields) + ["__all__"]) if form.is_bound else [],
                show_errors=True,
            )
        return context

    @staticmethod
    def error_summary(form, names):
        if not form.is_bound:
            return []
        summary = []
        for name in names:
            for message in form.errors.get(name, []):
                anchor = f"#{form[name].auto_id}" if name in form.fields else "#main"
                if name.startswith("score_"):
                    anchor = f"#group_{name}"
                summary.append({"anchor": anchor, "message": message})
        return summary

    def refused(self, form, error):
        """A clash the service found (a wheel saved a moment ago): shown like the form's own errors."""
        stage = form.cleaned_data.get("stage")
        for field, messages_ in (error.message_dict if hasattr(error, "error_dict") else {None: error.messages}).items():
            form.add_error(field if field in form.fields else None, messages_)
        if stage == Assessment.Stage.INITIAL:
            editing = getattr(form, "assessment", None)
            form.initial_taken = services.initial_assessment(case=form.case, template=form.template,
                                                             exclude=editing.pk if editing else None)
        if self.step_mode:
            return self.render_step(form, 0, show_errors=True)
        return self.form_invalid(form)

    def form_valid(self, form):
        try:
            assessment = services.record_assessment(
                case=self.case,
                template=self.wheel_template,
                assessed_on=form.cleaned_data["assessed_on"],
                stage=form.cleaned_data["stage"],
                scores=form.scores(),
                by=self.request.user,
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(self.request, f"Saved the {assessment.get_stage_display().lower()} {self.wheel_template.name.lower()}.")
        return redirect("outcomes:assessment_detail", pk=assessment.pk)


class AssessmentUpdateView(ConflictMixin, AssessmentCreateView):
    """Correct a recorded wheel (a mistyped score, the wrong date): whoever may change the case."""

    conflict_noun = "this assessment"

    def get_queryset(self):
        return Assessment.objects.restrict(self.request.user, "change").select_related(
            "case__client", "case__programme", "template"
        )

    @cached_property
    def object(self):
        return access.load_or_404(self.request, self.get_queryset(), pk=self.kwargs["pk"])

    @cached_property
    def case(self):
        return self.object.case

    @cached_property
    def wheel_template(self):
        return self.object.template

    @cached_property
    def other_templates(self):
        return []

    def get(self, request, *args, **kwargs):
        self.object  # noqa: B018 - 404 before anything else
        return super().get(request, *args, **kwargs)

    def get_form_class(self):
        return AssessmentEditForm

    def get_initial(self):
        return {}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("case"), kwargs.pop("template")
        return {**kwargs, "assessment": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(editing=True, **kwargs)

    def form_valid(self, form):
        try:
            assessment = services.update_assessment(
                assessment=self.object, version=form.expected_version, assessed_on=form.cleaned_data["assessed_on"],
                stage=form.cleaned_data["stage"], scores=form.scores(), by=self.request.user,
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(self.request, f"Saved your changes to the {assessment.get_stage_display().lower()} "
                                       f"{assessment.template.name.lower()}.")
        return redirect("outcomes:assessment_detail", pk=assessment.pk)


class AssessmentDetailView(access.ScopedQuerysetMixin, DetailView):
    model = Assessment
    template_name = "outcomes/assessment_detail.html"
    context_object_name = "assessment"

    def get_queryset(self):
        return super().get_queryset().select_related(
            "case__client", "case__programme", "template", "completed_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment = self.object
        domains = list(Domain.objects.filter(template=assessment.template_id))
        first = (
            Assessment.objects.restrict(self.request.user, "view")
            .filter(case=assessment.case_id, template=assessment.template_id)
            .chronological()
            .prefetch_related("scores")
            .first()
        )
        current = (Assessment.objects.restrict(self.request.user, "view").filter(pk=assessment.pk)
                   .select_related("template").prefetch_related("scores").get())
        pair = [first, current] if first.pk != current.pk else [current]
        if first.assessed_on > current.assessed_on:
            pair = [current]
        scores = current.scores_by_domain()
        context.update(
            case=assessment.case,
            client=assessment.case.client,
            client_url=client_page_url(assessment.case.client_id),
            wheel=build_wheel(pair, domains, chart_id=f"wheel-assessment-{assessment.pk}"),
            score_rows=[(domain, scores.get(domain.pk)) for domain in domains],
            can_change=access.changeable_cases(self.request.user).filter(pk=assessment.case_id).exists(),
        )
        return context


# ---- Achievements -------------------------------------------------------------------------


class AchievementCreateView(CaseMixin, CreateView):
    template_name = "outcomes/achievement_form.html"
    form_class = AchievementForm

    def form_valid(self, form):
        form.instance.case = self.case
        form.instance.recorded_by = self.request.user
        achievement = form.save()
        audit.record(self.request.user, "achievement.recorded", achievement, type=achievement.type.code)
        message = f"Recorded: {achievement.type.name} on {achievement.achieved_on:%-d %b %Y}."
        if achievement.is_employment:
            message += (
                f" The 13-week check (still in work?) will be due on {achievement.check_due_on(13):%-d %b %Y}."
            )
        messages.success(self.request, message)
        return redirect(client_page_url(self.case.client_id))


class AchievementUpdateView(access.ScopedQuerysetMixin, ConflictMixin, UpdateView):
    """Correct an achievement (a job's date, the employer): whoever may change the case."""

    template_name = "outcomes/achievement_form.html"
    form_class = AchievementUpdateForm
    context_object_name = "achievement"
    conflict_noun = "this achievement"

    def get_queryset(self):
        return Achievement.objects.restrict(self.request.user, "change").select_related(
            "type", "case__client", "case__programme"
        )

    def get_context_data(self, **kwargs):
        case = self.object.case
        return super().get_context_data(case=case, client=case.client, client_url=client_page_url(case.client_id),
                                        editing=True, **kwargs)

    def form_valid(self, form):
        achievement = form.save()
        audit.record(self.request.user, "achievement.updated", achievement, fields=sorted(form.changed_data))
        messages.success(self.request, f"Saved your changes to {achievement.type.name} on {achievement.achieved_on:%-d %b %Y}.")
        return redirect(client_page_url(achievement.case.client_id))


@require_POST
@access.role_required(access.MENTOR, access.LEAD, access.MANAGER)
def achievement_check(request, pk):
    """Answer a 13- or 26-week 'still in work?' check from the due list."""
    achievements = Achievement.objects.restrict(request.user, "change").select_related("type", "case")
    achievement = access.load_or_404(request, achievements, pk=pk)
    form = EmploymentCheckForm(request.POST)
    if not achievement.is_employment:
        messages.error(request, "Only a job has a 13- and 26-week check.")
    elif not form.is_valid():
        messages.error(request, "Choose whether they were still in work at 13 or 26 weeks.")
    else:
        weeks, in_work = form.cleaned_data["weeks"], form.cleaned_data["in_work"]
        try:
            achievement.record_check(weeks=weeks, in_work=in_work, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            answer = "still in work" if in_work else "no longer in work"
            messages.success(request, f"Recorded: {answer} at {weeks} weeks ({achievement.type.name}).")
    return redirect(safe_next(request, reverse("home")))


# ---- Exit questionnaire -------------------------------------------------------------------


class QuestionnaireCreateView(CaseMixin, FormView):
    template_name = "outcomes/questionnaire_form.html"
    form_class = QuestionnaireForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.case}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["before_closure"] = self.case.ended_on is None
        return context

    def form_valid(self, form):
        questionnaire = services.record_questionnaire(
            case=self.case,
            completed_on=form.cleaned_data["completed_on"],
            answers=form.answers(),
            comments=form.cleaned_data["comments"],
            by=self.request.user,
        )
        messages.success(self.request, f"Saved the exit questionnaire of {questionnaire.completed_on:%-d %b %Y}.")
        if questionnaire.before_closure:
            when = f"closed on {self.case.ended_on:%-d %b %Y}" if self.case.ended_on else "is still open"
            messages.warning(
                self.request,
                f"Note: this case {when}. Exit questionnaires are normally completed at or after closure; "
                "it has been saved with the date you gave.",
            )
        return redirect(client_page_url(self.case.client_id))


class QuestionnairePrintView(CaseMixin, TemplateView):
    """A paper copy of the exit questionnaire for clients who prefer to fill it in by hand."""

    template_name = "outcomes/questionnaire_print.html"
    case_action = "view"
    audit_verb = "case.questionnaire_printed"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["questions"] = Question.objects.asked_by(self.case.programme)
        context["ratings"] = Answer.Rating.choices
        return context
