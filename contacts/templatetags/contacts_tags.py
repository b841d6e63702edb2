"""Template tags for contacts' own small forms."""

import uuid

from django import template

register = template.Library()


@register.simple_tag
def submission_token():
    """A fresh one-time token for a form drawn by hand (the "Didn't attend" choice on a card):
    the same press sent twice records one contact (contacts.services.record_missed)."""
    return str(uuid.uuid4())
