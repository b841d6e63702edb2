from django.db import migrations

from contacts.goal_areas import GOAL_AREAS

ACHIEVEMENT_TYPES = [
    ("employment_full_time", "Full-time employment", "employment"),
    ("employment_part_time", "Part-time employment", "employment"),
    ("self_employment", "Self-employment", "employment"),
    ("apprenticeship", "Apprenticeship", "employment"),
    ("education_started", "Started education", "education_training"),
    ("training_started", "Started training", "education_training"),
    ("cscs_card", "CSCS card", "qualification"),
    ("functional_skills_started", "Started Functional Skills", "qualification"),
    ("functional_skills_gained", "Gained Functional Skills", "qualification"),
    ("qualification_gained", "Gained a qualification", "qualification"),
    ("volunteering_started", "Started volunteering", "volunteering"),
    ("id_obtained", "ID obtained", "practical"),
    ("bank_account_opened", "Bank account opened", "practical"),
    ("accommodation_secured", "Accommodation secured", "practical"),
    ("gp_registered", "Registered with a GP", "practical"),
    ("benefits_in_place", "Benefits in place", "practical"),
]

COST_SOURCE = "Heeks et al. (2018), The economic and social costs of crime, Home Office Research Report 99"
OFFENCE_CATEGORIES = [
    ("homicide", "Homicide", 10, 3200000),
    ("rape", "Rape", 9, 39360),
    ("other_sexual", "Other sexual offences", 7, 6520),
    ("violence_with_injury", "Violence with injury (wounding)", 6, 14050),
    ("robbery", "Robbery (personal)", 6, 11320),
    ("weapons", "Possession of weapons", 5, None),
    ("arson", "Arson", 5, 8420),
    ("burglary_domestic", "Burglary (domestic)", 5, 5930),
    ("drugs_supply", "Drug supply", 5, None),
    ("violence_without_injury", "Violence without injury", 4, 5930),
    ("theft_of_vehicle", "Theft of a vehicle", 3, 10290),
    ("theft_from_person", "Theft from the person", 3, 1380),
    ("burglary_other", "Burglary (non-domestic)", 3, None),
    ("theft_from_vehicle", "Theft from a vehicle", 2, 870),
    ("criminal_damage", "Criminal damage", 2, 1350),
    ("public_order", "Public order", 2, None),
    ("shoplifting", "Shoplifting and other theft", 1, None),
    ("drugs_possession", "Drug possession", 1, None),
    ("motoring", "Motoring offences", 1, None),
    ("breach", "Breach of an order or licence", 1, None),
    ("other", "Other offences", 1, None),
]

# A neutral wheel of our own: its codes and plain labels are contacts' goal areas (the one list,
# contacts/goal_areas.py); here the prompts for the low, middle and high bands.
DOMAIN_PROMPTS = {
    "motivation": ("I don't see the point in changing", "I want things to change and I'm starting to try", "I'm working hard on the changes I want"),
    "use_of_time": ("My days have no shape", "I have some things to do most weeks", "My time is filled with things that matter to me"),
    "social_networks": ("I have no one, or the wrong people", "I have one or two people I can rely on", "I have people who back me and keep me on track"),
    "offending": ("Offending is part of my life", "I'm trying to stay out of trouble", "I'm living a life without offending"),
    "accommodation": ("I have nowhere safe to stay", "I have a place but it isn't settled", "I have a safe, settled home"),
    "living_skills": ("I can't manage money, bills or forms", "I manage some things with help", "I manage my money and appointments myself"),
    "health_wellbeing": ("My physical or mental health is a big problem", "I'm getting help with my health", "I look after my health and feel well"),
    "relationships_family": ("My relationships are causing harm", "Some relationships are getting better", "My relationships are healthy and supportive"),
    "substance_use": ("Drugs or alcohol control my life", "I'm cutting down or getting support", "Drugs and alcohol are not a problem for me"),
    "education_employment": ("Work or learning feels out of reach", "I'm taking steps towards work or learning", "I'm in work, training or education"),
}
DOMAINS = [(code, label, *DOMAIN_PROMPTS[code]) for code, label in GOAL_AREAS]

QUESTIONS = [
    ("helped_motivation", "The service helped my motivation to make changes."),
    ("helped_use_of_time", "The service helped me make better use of my time."),
    ("helped_healthier_lifestyle", "The service helped me lead a healthier lifestyle."),
    ("helped_move_away_from_offending", "The service helped me move away from offending."),
    ("improved_employability_skills", "The service improved my skills for getting work."),
    ("would_recommend", "I would recommend the service to someone in my position."),
]


def seed(apps, schema_editor):
    AchievementType = apps.get_model("outcomes", "AchievementType")
    for order, (code, name, category) in enumerate(ACHIEVEMENT_TYPES):
        AchievementType.objects.get_or_create(code=code, defaults={"name": name, "category": category, "order": order})
    OffenceCategory = apps.get_model("outcomes", "OffenceCategory")
    for order, (code, name, severity, cost) in enumerate(OFFENCE_CATEGORIES):
        OffenceCategory.objects.get_or_create(
            code=code,
            defaults={"name": name, "severity": severity, "unit_cost": cost, "order": order,
                      "source": COST_SOURCE if cost else "Severity band set by Waymark; no unit cost published",
                      "price_year": "2015/16" if cost else ""},
        )
    AssessmentTemplate = apps.get_model("outcomes", "AssessmentTemplate")
    Domain = apps.get_model("outcomes", "Domain")
    template, _ = AssessmentTemplate.objects.get_or_create(
        code="progress_wheel", defaults={"name": "Progress wheel", "scale_min": 1, "scale_max": 10}
    )
    for order, (code, label, low, mid, high) in enumerate(DOMAINS):
        Domain.objects.get_or_create(
            template=template, code=code,
            defaults={"label": label, "order": order, "prompt_low": low, "prompt_mid": mid, "prompt_high": high},
        )
    Question = apps.get_model("outcomes", "Question")
    for order, (code, text) in enumerate(QUESTIONS):
        Question.objects.get_or_create(code=code, defaults={"name": code.replace("_", " ").capitalize(), "text": text, "order": order})


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
