"""Demo clients: 60 plainly invented people across Bridge and Springboard, some with risk flags.

Referrals and cases for them are seeded by referrals/demo.py (cases open when a referral is
accepted). Puts the clients in `context["clients"]` (list, in reference order).
"""

import random
from datetime import timedelta

from django.utils import timezone

FIRST_NAMES = [
    "Arlo", "Bexley", "Cato", "Dorian", "Ember", "Fenn", "Gully", "Harlow", "Ivo", "Juno",
    "Kestrel", "Lark", "Milo", "Nell", "Orrin", "Pip", "Quinby", "Rook", "Sable", "Tarn",
]
LAST_NAMES = [
    "Brackenfold", "Cinderwick", "Dunmarrow", "Elderquay", "Fallowmere", "Gorsebeck", "Hollowmarsh",
    "Inkwater", "Juniperlow", "Kettlebrook", "Larkspurry", "Mossgrave", "Nettlecombe", "Oakenshaw",
    "Pebblestow", "Quarrydown", "Rushwillow", "Slatebury", "Thistlecote", "Umberfield",
]
AREAS = ["Northshire East", "Northshire West", "Riverside", "Old Town", "Harbourside", "Millbrook"]
LANGUAGES = ["English"] * 8 + ["Polish", "Urdu", "Somali", "Romanian"]
FLAGS = [("to_others", "high"), ("to_self", "medium"), ("to_staff", "medium"), ("safeguarding", "high"),
         ("to_others", "medium"), ("to_self", "high")]


def seed(context):
    from .models import Client, Ethnicity, Gender, RiskFlag

    existing = list(Client.objects.filter(client_ref__startswith="DEMO-").order_by("client_ref"))
    if existing:
        context["clients"] = existing
        return
    rng = random.Random(42)
    today = timezone.localdate()
    names = rng.sample([(f, last) for f in FIRST_NAMES for last in LAST_NAMES], 60)
    ethnicities = [e for e, _ in Ethnicity.choices]
    clients = []
    for index, (first, last) in enumerate(names, start=1):
        # Even numbers are Bridge (18-25), odd numbers Springboard (adults under IOM).
        programme = "bridge" if index % 2 == 0 else "springboard"
        age_days = rng.randint(18 * 365 + 200, 25 * 365) if programme == "bridge" else rng.randint(21 * 365, 52 * 365)
        client = Client.objects.create(
            client_ref=f"DEMO-{index:03d}",
            first_name=first,
            last_name=last,
            preferred_name=first[:3] if index % 9 == 0 else "",
            date_of_birth=today - timedelta(days=age_days),
            gender=rng.choice([Gender.MALE] * 6 + [Gender.FEMALE] * 3 + [Gender.NON_BINARY]),
            ethnicity=rng.choice(ethnicities),
            phone=f"07700 900{index:03d}",
            postcode=f"NS{rng.randint(1, 9)} {rng.randint(1, 9)}XX",
            area=rng.choice(AREAS),
            first_language=rng.choice(LANGUAGES),
            care_experienced=rng.random() < 0.3 if programme == "bridge" else rng.random() < 0.15,
            parent_in_prison=rng.random() < 0.2,
            veteran=programme == "springboard" and rng.random() < 0.08,
            disability=rng.random() < 0.25,
            risk_level=rng.choice(["low", "medium", "medium", "high"]),
            probation_ref=f"PRB{rng.randint(100000, 999999)}" if programme == "springboard" else "",
            consent_data_on=today - timedelta(days=rng.randint(10, 500)),
            consent_data_recorded_by="Dean Holloway",
        )
        clients.append(client)
    for index, client in enumerate(rng.sample(clients, len(FLAGS) * 2)):
        kind, level = FLAGS[index % len(FLAGS)]
        RiskFlag.objects.create(
            client=client, kind=kind, level=level, raised_on=today - timedelta(days=rng.randint(20, 200)),
            # A few reviews fall due this week, one is overdue: the lead's home page shows them.
            review_on=today + timedelta(days=(index % 6) * 4 - 2),
            details="Agreed with the referring officer: meet in public places, two staff for home visits."
            if kind == "to_staff" else "",
        )
    context["clients"] = clients
