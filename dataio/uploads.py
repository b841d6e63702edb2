"""Where checked uploads wait for the administrator's confirmation, and for how long.

Each upload is a private folder named by a random token (IMPORT_UPLOAD_DIR). Files that were
checked but never imported hold personal data nobody asked to keep: after
IMPORT_UPLOAD_TTL_MINUTES they are refused on confirmation and deleted, by every upload and by
`manage.py prune_import_uploads`.
"""

import os
import re
import shutil
import tempfile
import time

from django.conf import settings

TOKEN = re.compile(r"^[0-9a-f]{32}$")


def upload_root():
    root = getattr(settings, "IMPORT_UPLOAD_DIR", "") or os.path.join(tempfile.gettempdir(), "waymark-imports")
    os.makedirs(root, mode=0o700, exist_ok=True)
    return root


def ttl_seconds():
    return settings.IMPORT_UPLOAD_TTL_MINUTES * 60


def is_expired(directory, now=None):
    """Waiting longer than the setting allows (the folder's time is the upload's)."""
    try:
        written = os.stat(directory).st_mtime
    except FileNotFoundError:
        return True
    return (now or time.time()) - written > ttl_seconds()


def remove_directory(directory):
    shutil.rmtree(directory, ignore_errors=True)


def prune_expired(root=None, now=None):
    """Delete every upload waiting longer than the setting allows; returns how many."""
    root = root or upload_root()
    removed = 0
    for entry in os.scandir(root):
        if entry.is_dir(follow_symlinks=False) and TOKEN.match(entry.name) and is_expired(entry.path, now):
            remove_directory(entry.path)
            removed += 1
    return removed
