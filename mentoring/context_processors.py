from django.conf import settings

from . import access


def waymark(request):
    user = getattr(request, "user", None)
    return {
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "user_roles": access.roles(user) if user is not None else frozenset(),
        "can": {
            "work_with_cases": access.works_with_cases(user),
            "lead": access.is_lead(user) or access.is_manager(user),
            "manage": access.is_manager(user),
            "administer": access.is_administrator(user),
            "report": access.can_run_reports(user),
        } if user is not None else {},
    }
