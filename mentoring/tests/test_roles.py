"""An administrator is configuration only (issue 23, point 5).

In the admin an administrator creates accounts, gives the Mentor and Project lead roles and
deactivates leavers; nobody sets the superuser flag or the Manager and Administrator roles
there, or changes their own roles, or edits what a role may do. Those roles take two
managers (the Roles page). Every change of an account's groups, flags or password, from
anywhere, is an audit event.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from mentoring import services
from mentoring.apps import grant_administrator_permissions
from mentoring.models import AuditEvent, RoleGrant
from mentoring.tests.factories import PASSWORD, UserFactory, with_totp

pytestmark = pytest.mark.django_db


def group(name):
    return Group.objects.get(name=name)


def change_url(account):
    return reverse("admin:auth_user_change", args=[account.pk])


def admin_post(account, **changes):
    """What the admin's change form posts for `account`, with `changes` on top."""
    data = {
        "username": account.username, "first_name": account.first_name, "last_name": account.last_name,
        "email": account.email, "is_active": "on", "groups": [g.pk for g in account.groups.all()],
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        # Read-only here; Django's own user form needs them.
        "date_joined_0": f"{account.date_joined:%Y-%m-%d}", "date_joined_1": f"{account.date_joined:%H:%M:%S}",
    }
    if account.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return data


def group_events(account, since=0):
    return AuditEvent.objects.filter(verb="user.groups_changed", object_id=str(account.pk), pk__gt=since)


def last_event():
    """The newest audit event's id: what a test did comes after it (the fixtures' own accounts
    were created, given roles and passwords, all audited)."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def second_manager(db):
    user = UserFactory(username="gwen", first_name="Gwen", last_name="Manager", role="manager")
    with_totp(user)
    return user


def test_an_administrator_cannot_make_themself_superuser_or_manager_in_the_admin(client, administrator):
    client.force_login(administrator)
    response = client.post(change_url(administrator), admin_post(
        administrator, is_superuser="on", groups=[group("Manager").pk, group("Administrator").pk],
    ))
    assert response.status_code == 302
    administrator.refresh_from_db()
    assert administrator.is_superuser is False
    assert list(administrator.groups.values_list("name", flat=True)) == ["Administrator"]
    page = client.get(change_url(administrator)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page


def test_an_administrator_cannot_give_anyone_the_manager_role_in_the_admin(client, administrator, lead):
    client.force_login(administrator)
    since = last_event()
    response = client.post(change_url(lead), admin_post(lead, groups=[group("Project lead").pk, group("Manager").pk]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not lead.groups.filter(name="Manager").exists()
    assert not group_events(lead, since).exists()


def test_a_shadow_manager_cannot_be_created_in_the_admin(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("admin:auth_user_add"), {
        "username": "shadow", "usable_password": "true", "password1": "lantern orchard pebble 42",
        "password2": "lantern orchard pebble 42",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302
    shadow = UserFactory._meta.model.objects.get(username="shadow")
    response = client.post(change_url(shadow), admin_post(shadow, groups=[group("Manager").pk], is_superuser="on"))
    shadow.refresh_from_db()
    assert not shadow.groups.exists() and not shadow.is_superuser


def test_an_administrator_gives_the_mentor_role_and_the_change_is_audited(client, administrator, no_role_user):
    client.force_login(administrator)
    since = last_event()
    response = client.post(change_url(no_role_user), admin_post(no_role_user, groups=[group("Mentor").pk]),
                           REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302
    assert list(no_role_user.groups.values_list("name", flat=True)) == ["Mentor"]
    event = group_events(no_role_user, since).get()
    assert event.user == administrator and event.action == AuditEvent.Action.CHANGE
    assert event.detail == {"added": ["Mentor"], "removed": []}
    assert event.ip_address == "192.0.2.10"
    # Individual permissions are not offered at all: roles are groups.
    assert 'name="user_permissions"' not in client.get(change_url(no_role_user)).content.decode()


def test_editing_a_managers_account_in_the_admin_keeps_their_manager_role(client, administrator, manager):
    client.force_login(administrator)
    since = last_event()
    response = client.post(change_url(manager), admin_post(manager, first_name="Erin-Jane", groups=[]))
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.first_name == "Erin-Jane"
    assert manager.groups.filter(name="Manager").exists()
    assert not group_events(manager, since).exists()


def test_an_administrator_deactivates_an_account_and_it_is_audited(client, administrator, lead):
    client.force_login(administrator)
    data = admin_post(lead)
    del data["is_active"]
    assert client.post(change_url(lead), data).status_code == 302
    lead.refresh_from_db()
    assert lead.is_active is False
    assert AuditEvent.objects.get(verb="user.deactivated", object_id=str(lead.pk)).user == administrator


def test_nobody_edits_what_a_role_may_do_in_the_admin(client, administrator):
    grant_administrator_permissions(sender=None)
    administrators = group("Administrator")
    assert not administrators.permissions.filter(codename__in=["add_group", "change_group", "delete_group"]).exists()
    assert administrators.permissions.filter(codename="view_group").exists()
    client.force_login(administrator)
    url = reverse("admin:auth_group_change", args=[administrators.pk])
    assert client.get(url).status_code == 200  # to look at
    response = client.post(url, {"name": "Administrator", "permissions": []})
    assert response.status_code == 403
    assert administrators.permissions.exists()


def test_an_administrator_cannot_delete_a_manager_or_themself(client, administrator, manager, no_role_user):
    client.force_login(administrator)
    for account in (manager, administrator):
        assert client.get(reverse("admin:auth_user_delete", args=[account.pk])).status_code == 403
    assert client.get(reverse("admin:auth_user_delete", args=[no_role_user.pk])).status_code == 200


def test_group_flag_and_password_changes_from_anywhere_are_audited(mentor_user):
    since = last_event()
    mentor_user.groups.add(group("Project lead"))
    group("Manager").user_set.add(mentor_user)  # from the other side
    mentor_user.groups.remove(group("Manager"), group("Administrator"))  # Administrator was never held
    mentor_user.is_superuser = True
    mentor_user.save()
    mentor_user.set_password("a new and long passphrase")
    mentor_user.save()
    mentor_user.groups.clear()

    events = [(e.verb, e.detail) for e in AuditEvent.objects.filter(object_id=str(mentor_user.pk), pk__gt=since).order_by("pk")]
    assert events == [
        ("user.groups_changed", {"added": ["Project lead"], "removed": []}),
        ("user.groups_changed", {"added": ["Manager"], "removed": []}),
        ("user.groups_changed", {"added": [], "removed": ["Manager"]}),
        ("user.superuser_granted", {}),
        ("user.password_changed", {}),
        ("user.groups_changed", {"added": [], "removed": ["Mentor", "Project lead"]}),
    ]
    assert all(PASSWORD not in str(detail) for _, detail in events)


def test_signing_in_and_rehashing_a_password_are_no_account_changes(client, mentor_user, settings):
    before = AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).count()
    client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})
    assert "_auth_user_id" in client.session
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    mentor_user.refresh_from_db()
    assert mentor_user.check_password(PASSWORD)  # re-hashed with PBKDF2 and saved
    mentor_user.refresh_from_db()
    assert mentor_user.password.startswith("pbkdf2_")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).count() == before


def test_changing_ones_own_password_is_audited(client, mentor_user):
    client.force_login(mentor_user)
    new = "lantern orchard pebble 42"
    client.post(reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new})
    since = last_event()
    client.post(reverse("account_change_password"), {"oldpassword": new, "password1": PASSWORD, "password2": PASSWORD})
    event = AuditEvent.objects.get(verb="user.password_changed", object_id=str(mentor_user.pk), pk__gt=since)
    assert event.user == mentor_user


def test_two_managers_give_the_manager_role_one_alone_cannot(client, manager, second_manager, lead):
    since = last_event()
    client.force_login(manager)
    response = client.post(reverse("role_grants"), {"user": lead.pk, "grant": "manager", "reason": "New service manager"})
    assert response.status_code == 302
    role_grant = RoleGrant.objects.get()
    assert not lead.groups.filter(name="Manager").exists()
    # The manager who asked cannot approve it.
    assert client.post(reverse("role_grant_approve", args=[role_grant.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.approve_role_grant(role_grant=role_grant, by=manager)
    assert not lead.groups.filter(name="Manager").exists()

    client.force_login(second_manager)
    page = client.get(reverse("role_grants")).content.decode()
    assert "Approve and give it" in page and "New service manager" in page
    assert client.post(reverse("role_grant_approve", args=[role_grant.pk])).status_code == 302

    assert lead.groups.filter(name="Manager").exists()
    role_grant.refresh_from_db()
    assert (role_grant.status, role_grant.decided_by) == (RoleGrant.Status.APPROVED, second_manager)
    assert AuditEvent.objects.filter(verb="role.grant_requested", user=manager, object_id=str(lead.pk)).exists()
    assert AuditEvent.objects.filter(verb="role.granted", user=second_manager, object_id=str(lead.pk)).exists()
    assert group_events(lead, since).get().detail == {"added": ["Manager"], "removed": []}


def test_the_person_a_grant_is_for_cannot_approve_it(manager, second_manager):
    role_grant = services.request_role_grant(user=second_manager, grant="superuser", by=manager, reason="Runs the server")
    with pytest.raises(PermissionDenied):
        services.approve_role_grant(role_grant=role_grant, by=second_manager)
    third = UserFactory(username="hana", role="manager")
    services.approve_role_grant(role_grant=role_grant, by=third)
    second_manager.refresh_from_db()
    assert second_manager.is_superuser and second_manager.is_staff
    assert AuditEvent.objects.filter(verb="user.superuser_granted", object_id=str(second_manager.pk)).exists()


def test_an_administrator_or_a_lead_cannot_ask_for_or_approve_a_role(client, administrator, lead, manager, second_manager):
    role_grant = services.request_role_grant(user=lead, grant="manager", by=manager, reason="Promotion")
    for person in (administrator, lead):
        client.force_login(person)
        assert client.get(reverse("role_grants")).status_code == 403
        assert client.post(reverse("role_grant_approve", args=[role_grant.pk])).status_code == 403
        with pytest.raises(PermissionDenied):
            services.request_role_grant(user=person, grant="manager", by=person, reason="Why not")
    assert not lead.groups.filter(name="Manager").exists()


def test_a_manager_takes_a_role_away_alone_but_not_their_own(client, manager, second_manager, administrator):
    client.force_login(manager)
    response = client.post(reverse("role_revoke", args=[administrator.pk]), {"grant": "administrator"}, follow=True)
    assert "no longer has the administrator role" in response.content.decode()
    assert not administrator.groups.filter(name="Administrator").exists()
    assert AuditEvent.objects.filter(verb="role.revoked", user=manager, object_id=str(administrator.pk)).exists()
    response = client.post(reverse("role_revoke", args=[manager.pk]), {"grant": "manager"}, follow=True)
    assert "Ask another manager" in response.content.decode()
    assert manager.groups.filter(name="Manager").exists()


def test_a_bad_request_keeps_what_was_typed_and_says_why(client, manager, second_manager):
    client.force_login(manager)
    response = client.post(reverse("role_grants"), {"user": second_manager.pk, "grant": "manager", "reason": "Typed reason"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "already has this" in page and "Typed reason" in page
    assert not RoleGrant.objects.exists()


def test_the_first_manager_is_given_the_role_from_the_server(no_role_user):
    since = last_event()
    call_command("grant_role", no_role_user.username, "manager", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert no_role_user.groups.filter(name="Manager").exists()
    assert AuditEvent.objects.filter(verb="role.granted", object_id=str(no_role_user.pk), user=None).exists()
    assert group_events(no_role_user, since).get().user is None  # recorded as the system
