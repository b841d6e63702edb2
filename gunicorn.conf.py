"""gunicorn settings for Waymark: `gunicorn -c gunicorn.conf.py mentoring.wsgi`.

Each can be changed from the environment. The defaults are the ones the load test
(loadtest/run.sh) measured on a 2-core machine.
"""

import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Threads share a process's memory and database connections; a few processes keep one slow
# request (a report) from holding up the rest.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# How long a worker may go silent before it is restarted. With threads this is not a limit on
# one request's time: that limit is the reverse proxy's (nginx's proxy_read_timeout, 60 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Idle keep-alive connections wait without holding a thread. Longer than a person's pause
# between clicks, so a browser reusing its connection is not met by one just being closed.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# Path only: a query string can hold a client's name or date of birth (the client search), and
# system logs are outside the audit trail, retention and erasure. No referrer for the same reason.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")

# A calendar feed's URL is its own secret (/calendar/<token>.ics, contacts/calendar_feed.py):
# the access log keeps that a feed was fetched, never the token.
_FEED_TOKEN = re.compile(r"^/calendar/[^/]+\.ics$")


def redact_path(path):
    return "/calendar/[token].ics" if _FEED_TOKEN.match(path or "") else path


class RedactingLogger(Logger):
    """gunicorn's logger with feed tokens taken out of the logged path."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms.get("U", ""))
        return atoms


logger_class = RedactingLogger


def post_worker_init(worker):
    """No `Server: gunicorn` banner on responses. gunicorn has no setting for it (its maintainers
    declined one, benoitc/gunicorn#825), so each worker drops the line from its default headers."""
    from gunicorn.http import wsgi

    default_headers = wsgi.Response.default_headers
    if getattr(default_headers, "without_server", False):
        return

    def without_server(self):
        return [line for line in default_headers(self) if not line.startswith("Server:")]

    without_server.without_server = True
    wsgi.Response.default_headers = without_server
