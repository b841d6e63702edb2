"""The progress wheel's default domains: code and label, in wheel order.

The one definition of these codes. A goal's area (contacts) is one of them; outcomes seeds its
default wheel's domains from this list (outcomes/migrations/0002_reference_data.py), adding
their prompts. Contacts sits below outcomes, so the list lives here and outcomes imports it.
"""

GOAL_AREAS = [
    ("motivation", "Motivation"),
    ("use_of_time", "Use of time"),
    ("social_networks", "People around me"),
    ("offending", "Staying out of trouble"),
    ("accommodation", "Somewhere to live"),
    ("living_skills", "Managing day to day"),
    ("health_wellbeing", "Health and wellbeing"),
    ("relationships_family", "Family and relationships"),
    ("substance_use", "Drugs and alcohol"),
    ("education_employment", "Work and learning"),
]
