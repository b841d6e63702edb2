"""Run actions at the same moment in real threads, each on its own database connection.

For tests marked `@pytest.mark.django_db(transaction=True)`: what one thread writes is
committed and visible to the others, as between two web requests.

`hold` makes the race certain rather than likely: the calling thread locks that row
(SELECT ... FOR UPDATE) while the actions start, and lets go only once every action waits
for a lock (PostgreSQL's pg_stat_activity says so) or `wait` seconds have passed. Each action
has then done whatever it does before it needs that row, so two actions that check the
state without locking it both pass their check. `hold` may instead be a function, run in the
calling thread's transaction (to lock or write rows the actions will need); that transaction
is then rolled back, so what it wrote never happened.
"""

import threading
import time

from django.db import connection, connections, transaction
from django.test import Client

WAITING_FOR_A_LOCK = """
    SELECT count(*) FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
"""


def signed_in_browsers(*users):
    """A test browser for each user, signed in: two people at two screens."""
    browsers = []
    for user in users:
        browser = Client()
        browser.force_login(user)
        browsers.append(browser)
    return browsers


class Outcome:
    """What one action gave: its return value, or the exception it raised."""

    def __init__(self, value=None, error=None):
        self.value, self.error = value, error

    def __repr__(self):
        return f"Outcome(value={self.value!r}, error={self.error!r})"


def run_together(*actions, hold=None, wait=10.0):
    """Run each callable in its own thread, released together; returns their Outcomes in order."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = Outcome(value=action())
        except Exception as error:  # noqa: BLE001 - the test looks at what each action raised
            outcomes[index] = Outcome(error=error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, action), daemon=True) for i, action in enumerate(actions)]
    if hold is None:
        for thread in threads:
            thread.start()
    else:
        with transaction.atomic():
            if callable(hold):
                hold()
            else:
                list(hold.select_for_update())
            for thread in threads:
                thread.start()
            _wait_for_lock_waiters(len(actions), wait)
            if callable(hold):
                transaction.set_rollback(True)
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an action did not finish within a minute"
    return outcomes


def _wait_for_lock_waiters(count, wait):
    deadline = time.monotonic() + wait
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(WAITING_FOR_A_LOCK)
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)
