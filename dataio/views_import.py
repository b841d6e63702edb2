"""The import pages for administrators: upload, check (a dry run), confirm; blank templates.

The uploaded files wait in a private folder named by a random token kept in the session, so
the confirmed import reads exactly the files that were checked; they wait at most
IMPORT_UPLOAD_TTL_MINUTES (dataio.uploads).
"""

import os
import secrets

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views import View
from django.views.generic import FormView

from mentoring import access, audit

from .forms import ImportUploadForm
from .importing import FILES, SPECS, run_import, template_csv
from .uploads import TOKEN, is_expired, prune_expired, remove_directory, upload_root

SESSION_KEY = "dataio_import"
DONE_KEY = "dataio_import_done"


def _pending_directory(request):
    token = (request.session.get(SESSION_KEY) or {}).get("token", "")
    if not TOKEN.match(token):
        return None
    directory = os.path.join(upload_root(), token)
    return directory if os.path.isdir(directory) else None


def _forget_pending(request):
    directory = _pending_directory(request)
    if directory:
        remove_directory(directory)
    request.session.pop(SESSION_KEY, None)


class AdministratorMixin(access.RoleRequiredMixin):
    allowed_roles = (access.ADMINISTRATOR,)


class ImportUploadView(AdministratorMixin, FormView):
    """Upload CSV files or a zip; the answer is the check: what would change, every problem."""

    form_class = ImportUploadForm
    template_name = "dataio/import_upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["files"] = FILES
        context["done"] = self.request.session.pop(DONE_KEY, None)
        return context

    def form_valid(self, form):
        _forget_pending(self.request)
        root = upload_root()
        prune_expired(root)
        token = secrets.token_hex(16)
        directory = os.path.join(root, token)
        os.makedirs(directory, mode=0o700)
        try:
            names = form.save_to(directory)
            report = run_import(directory, dry_run=True)
        except Exception as exc:
            remove_directory(directory)
            if hasattr(exc, "messages"):
                form.add_error("files", exc)
                return self.form_invalid(form)
            raise
        if report.ok:
            self.request.session[SESSION_KEY] = {"token": token, "files": names}
        else:
            remove_directory(directory)
        return render(self.request, "dataio/import_preview.html",
                      {"report": report, "names": names, "token": token, "ttl": settings.IMPORT_UPLOAD_TTL_MINUTES})


class ImportConfirmView(AdministratorMixin, View):
    """Apply the checked upload in one transaction, then show what it did."""

    http_method_names = ["post"]

    def post(self, request):
        pending = request.session.get(SESSION_KEY) or {}
        directory = _pending_directory(request)
        if directory is None or request.POST.get("token") != pending.get("token"):
            messages.warning(request, "There is nothing waiting to be imported: upload the files again.")
            return redirect("dataio:import_upload")
        if is_expired(directory):
            _forget_pending(request)
            messages.warning(request, f"The checked files waited more than {settings.IMPORT_UPLOAD_TTL_MINUTES} minutes "
                                      "and were deleted, as they hold personal data: upload them again.")
            return redirect("dataio:import_upload")
        report = run_import(directory)
        if not report.ok:
            # The database changed since the check (a record removed, a code retired).
            _forget_pending(request)
            return render(request, "dataio/import_preview.html", {"report": report, "names": pending.get("files", [])})
        audit.record(
            request.user, "data.imported", action=audit.Action.IMPORT, request=request,
            files={result.file: result.as_dict() for result in report.results},
        )
        _forget_pending(request)
        request.session[DONE_KEY] = report.lines
        messages.success(request, "The files were imported.")
        return redirect("dataio:import_upload")


class ImportTemplateView(AdministratorMixin, View):
    """A blank CSV template for one import file: the header and an example row."""

    def get(self, request, name):
        if name not in SPECS:
            raise Http404("No such import file.")
        response = HttpResponse(template_csv(name), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


urlpatterns = [
    path("import/", ImportUploadView.as_view(), name="import_upload"),
    path("import/confirm/", ImportConfirmView.as_view(), name="import_confirm"),
    path("import/templates/<str:name>", ImportTemplateView.as_view(), name="import_template"),
]
