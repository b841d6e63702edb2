"""The demo organisation `make run` seeds: fictional people, plainly invented names.

Each app may define `demo.py` with `seed(context)`; `manage.py seed_demo` calls them in
INSTALLED_APPS order (lowest layer first), passing a dict that earlier apps fill in.
"""

DEMO_PASSWORD = "waymark-demo-2026"

# username, first name, last name, role group, programmes led (codes)
DEMO_USERS = [
    ("manager", "Priya", "Shah", "Manager", []),
    ("lead", "Dean", "Holloway", "Project lead", ["bridge", "springboard"]),
    ("mentor", "Jess", "Okafor", "Mentor", []),
    ("mentor2", "Marcus", "Webb", "Mentor", []),
    ("mentor3", "Tom", "Reilly", "Mentor", []),
    ("admin", "Alex", "Morgan", "Administrator", []),
]
DEMO_USERNAMES = frozenset(row[0] for row in DEMO_USERS)


def seed(context):
    """Programmes, funders and the staff accounts of the demo organisation."""
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from .models import Funder, Programme, ProgrammeMembership, Role

    User = get_user_model()
    vru = Funder.objects.get_or_create(name="Northshire Violence Reduction Unit")[0]
    pcc = Funder.objects.get_or_create(name="Office of the Northshire Police and Crime Commissioner")[0]
    programmes = {
        "bridge": Programme.objects.update_or_create(
            code="bridge",
            defaults=dict(name="Bridge: 18-25 transitions", funder=vru, starts_on=date(2025, 4, 1),
                          ends_on=date(2027, 3, 31), target_clients=40, engagement_min_contacts=2),
        )[0],
        "springboard": Programme.objects.update_or_create(
            code="springboard",
            defaults=dict(name="Springboard IOM mentoring", funder=pcc, starts_on=date(2024, 10, 1),
                          target_clients=70, engagement_min_contacts=2),
        )[0],
    }
    users = {}
    role_by_group = {"Mentor": Role.MENTOR, "Project lead": Role.LEAD, "Manager": Role.MANAGER}
    for username, first, last, group, led in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults=dict(first_name=first, last_name=last, email=f"{username}@demo.waymark.test",
                          is_staff=group == "Administrator"),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=group))
        for code in led:
            ProgrammeMembership.objects.get_or_create(user=user, programme=programmes[code], role=role_by_group[group])
        users[username] = user
    context["programmes"] = programmes
    context["users"] = users
