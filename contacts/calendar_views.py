"""The "Calendar feed" page (make, see and revoke one's feed URL) and the feed itself.

The feed is served without sign-in, since calendar apps cannot sign in: the token in its URL
is the secret. A wrong token and a revoked one get the same plain 404, found by the token's
hash (an indexed lookup), never by comparing secrets in Python.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from mentoring import access, audit

from .calendar_feed import CalendarFeed, build_ics, feed_appointments
from .views import CASE_WORKERS


@access.role_required(*CASE_WORKERS)
def calendar_feed_page(request):
    """What the feed is, how to subscribe to it, and the buttons to make or revoke it."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "contacts/calendar_feed.html", {"feed": feed, "new_url": ""})


@require_POST
@access.role_required(*CASE_WORKERS)
def calendar_feed_create(request):
    """Make a new feed URL (replacing any old one, whose URL then 404s) and show it once.

    The page is the POST's own response, not a redirect: the token is never put in the session
    (stored in the database) to carry it to the next page. Resubmitting makes another URL, and
    the one shown before stops working: no harm done.
    """
    replaced = CalendarFeed.objects.filter(user=request.user).exists()
    feed, token = CalendarFeed.create_for(request.user)
    audit.record(request.user, "calendar_feed.created", feed, request=request, replaced=replaced)
    new_url = request.build_absolute_uri(reverse("calendar:feed", args=[token]))
    return render(request, "contacts/calendar_feed.html", {"feed": feed, "new_url": new_url})


@require_POST
@access.role_required(*CASE_WORKERS)
def calendar_feed_revoke(request):
    """Delete the feed: its URL is a 404 from now on, and calendars subscribed to it stop updating."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if feed is not None:
        audit.record(request.user, "calendar_feed.revoked", feed, request=request)
        feed.delete()
        messages.success(request, "Your calendar feed is revoked: the old URL no longer works.")
    return redirect("contacts:calendar_feed")


@require_GET
def calendar_feed_ics(request, token):
    """The ICS file for a live token; 404 otherwise, alike for unknown and revoked tokens."""
    feed = CalendarFeed.objects.for_token(token)
    if feed is None:
        raise Http404("No such calendar feed.")
    body = build_ics(feed_appointments(feed.user))
    feed.note_fetch()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="waymark.ics"'
    add_never_cache_headers(response)
    response["Pragma"] = "no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
