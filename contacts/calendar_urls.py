"""The calendar feed's own URL, /calendar/<token>.ics, kept outside /contacts/: a calendar app
subscribes to it without signing in."""

from django.urls import path

from . import calendar_views

app_name = "calendar"

urlpatterns = [
    path("<str:token>.ics", calendar_views.calendar_feed_ics, name="feed"),
]
