"""`{% client_links place client cases as links %}`: the links the apps above clients give
to one place of the client pages (clients.registry.client_links)."""

from django import template

from clients import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def client_links(context, place, client, cases):
    if not isinstance(cases, (list, tuple)):
        cases = [cases]
    return registry.links_for(place, context["request"], client, cases)


@register.filter
def for_case(links, case):
    """The links that act on `case`."""
    return [link for link in links if link.case_id == case.pk]
