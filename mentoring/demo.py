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
    ("manager2fa", "Nadia", "Rahman", "Manager", []),
]
# Nadia's authenticator app is already set up, so a newcomer sees the real two-factor sign-in:
# add this fixed, demo-only secret to an authenticator app (make run prints it). Seeded only
# while DEBUG is on, never in a deployment.
DEMO_TOTP_USERNAME = "manager2fa"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPWAYMARKDEMO23456"
DEMO_USERNAMES = frozenset(row[0] for row in DEMO_USERS)


def demo_totp_uri():
    """The otpauth:// URI of the demo secret, as an authenticator app reads it from a QR code."""
    issuer = "Waymark"  # settings.MFA_TOTP_ISSUER
    return f"otpauth://totp/{issuer}:{DEMO_TOTP_USERNAME}?secret={DEMO_TOTP_SECRET}&issuer={issuer}"


def _seed_demo_totp(user):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings

    if not settings.DEBUG:
        return
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


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
        if username == DEMO_TOTP_USERNAME:
            _seed_demo_totp(user)
    context["programmes"] = programmes
    context["users"] = users
