"""The queryset every model holding personal data uses: `.restrict(user, action)`.

As NetBox's RestrictedQuerySet: a view asks for `Contact.objects.restrict(request.user,
"change")` and gets only the rows that user may change. The queryset decides nothing itself:
it hands over to `mentoring.access.restrict`, so access is still decided in access.py and
nowhere else.

A model whose rows belong to a case or a client says how to reach it, as a class attribute:
`access_path = "case"` (or "client", "assessment__case", "mentor"...). The four models the
policy knows directly (Client, Case, Referral, Mentor) need none.

Managers built from this queryset filter nothing by default: the admin, migrations, services
and reports still see every row through `.objects`. Restriction is explicit, where a user's
request loads data, and `tests/test_access_door.py` checks that the view layer always asks.
"""

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what one user may see ("view"), add to or edit
    ("change"), or decide on ("manage"); see mentoring.access.ACTIONS."""

    def restrict(self, user, action="view"):
        # Imported here: access imports mentoring.models, which build their managers from us.
        from mentoring import access

        return access.restrict(self, user, action)
