"""The managers' duplicate check.

A referral whose name and date of birth match a record the lead may not see saves a new
client record and flags it (`referrals.forms.ReferralForm`), because telling the lead would
disclose that the organisation knows the person. Managers see every record: this list shows
each flagged record beside the records held under the same name and date of birth, and a
manager records the finding: other people, or the same person. Merging two records is not
done here: for the same person, a manager first records the referral on the existing record
and withdraws it on the new one (Client.close_duplicate_check).
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import ListView

from mentoring import access

from .models import Case, Client


def _key(client):
    return (client.first_name_folded, client.last_name_folded, client.date_of_birth)


class DuplicateChecksMixin(access.ScopedQuerysetMixin):
    """The records waiting for a check, through access.duplicate_checks (managers only)."""

    allowed_roles = (access.MANAGER,)

    def get_scope_queryset(self):
        return access.duplicate_checks(self.request.user)

    def same_person_as(self, clients):
        """The records held under the same names and date of birth, as far as the user may see."""
        return Client.objects.restrict(self.request.user, "view").same_person_as(clients)


class DuplicateCheckListView(DuplicateChecksMixin, ListView):
    """Flagged records, oldest first, each with the records it may duplicate."""

    template_name = "clients/duplicate_check_list.html"
    context_object_name = "checks"
    paginate_by = 25

    def get_queryset(self):
        return (
            super().get_queryset()
            .prefetch_related("referrals__programme")
            .order_by("duplicate_check_since", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = list(context["checks"])
        held = defaultdict(list)
        cases = Case.objects.restrict(self.request.user, "view").select_related("programme").order_by("-started_on")
        for other in self.same_person_as(page).prefetch_related(Prefetch("cases", queryset=cases)):
            held[_key(other)].append(other)
        context["rows"] = [{"client": client, "held": held[_key(client)]} for client in page]
        return context


class DuplicateCheckCloseView(DuplicateChecksMixin, View):
    """POST `same_person=no` (other people) or `yes` (the referral was moved by hand)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        client = get_object_or_404(self.get_queryset(), pk=pk)
        answer = request.POST.get("same_person")
        if answer not in ("yes", "no"):
            messages.warning(request, "Say whether it is the same person.")
            return redirect("clients:duplicate_check_list")
        same_person = answer == "yes"
        try:
            client.close_duplicate_check(by=request.user, same_person=same_person,
                                         candidates=self.same_person_as([client]))
        except ValidationError as error:
            messages.warning(request, f"{client.name_for_header}: {error.messages[0]}")
        else:
            finding = "the same person as a record held" if same_person else "not the same person as the records listed"
            messages.success(request, f"{client.name_for_header}: recorded as {finding}.")
        return redirect("clients:duplicate_check_list")
