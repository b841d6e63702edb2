"""The access matrix: (URL, role) -> expected status, for every URL of the project.

Each app lists its rows in `<app>/tests/access_matrix.py` as `MATRIX = [Row(...), ...]`.
A row names a URL, builds its arguments from the world (tests/world.py) and says what each
role gets. Another mentor's case, client or referral must answer 404, never 403 or 200.
`test_every_url_is_in_the_matrix` fails when a URL exists that no row covers.
"""

from importlib import import_module

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mentoring.tests.access import ROLES

APPS = ["mentoring", "clients", "referrals", "mentors", "contacts", "outcomes", "reports", "dataio"]
# Third-party URL trees with their own tests: sign-in (allauth) and the admin site.
EXTERNAL_NAMESPACES = {"admin"}


def _rows():
    rows = []
    for app in APPS:
        try:
            module = import_module(f"{app}.tests.access_matrix")
        except ModuleNotFoundError:
            continue
        rows.extend(module.MATRIX)
    return rows


ROWS = _rows()


CASES = [(row, role) for row in ROWS for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role"), CASES, ids=[f"{row.id}-{role}" for row, role in CASES])
def test_access_matrix(client, world, people, row, role):
    if role != "anonymous":
        client.force_login(people[role])
    url = reverse(row.name, kwargs=row.kwargs(world) if row.kwargs else None)
    if row.method == "post":
        response = client.post(url, row.data(world) if row.data else {})
    else:
        response = client.get(url)
    expected = row.expect(role)
    if role == "anonymous" and expected == 302:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], (url, response.status_code)
    else:
        assert response.status_code == expected, f"{role} {row.method.upper()} {url}: {response.status_code}"


def _our_url_names():
    names = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = pattern.namespace
                if namespace in EXTERNAL_NAMESPACES or (namespace is None and "allauth" in str(pattern.urlconf_name)):
                    continue
                walk(pattern.url_patterns, f"{prefix}{namespace}:" if namespace else prefix)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(prefix + pattern.name)

    walk(get_resolver().url_patterns, "")
    names -= {"account_signup"}  # a deliberate 404: there is no public sign-up
    return names


def test_every_url_is_in_the_matrix():
    covered = {row.name for row in ROWS}
    missing = sorted(_our_url_names() - covered)
    assert not missing, f"URLs missing from the access matrix: {missing}"
