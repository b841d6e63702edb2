"""gunicorn settings for Waymark: `gunicorn -c gunicorn.conf.py mentoring.wsgi`.

Each can be changed from the environment. The defaults are the ones the load test
(loadtest/run.sh) measured on a 2-core machine.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Threads share a process's memory and database connections; a few processes keep one slow
# request (a report) from holding up the rest.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A report for every programme over several years can take a few seconds; nothing takes a minute.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Idle keep-alive connections wait without holding a thread. Longer than a person's pause
# between clicks, so a browser reusing its connection is not met by one just being closed.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
