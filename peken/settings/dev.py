"""The zero-setup local run: SQLite, eager Celery, console email, demo data allowed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
PEKEN_DEMO_DATA_ALLOWED = True
PEKEN_SYNTHETIC_DATA_ALLOWED = True
# Template edits show at once; the page cache is measured in bench/ and tested.
PEKEN_PAGE_CACHE_SECONDS = env.int("PEKEN_PAGE_CACHE_SECONDS", default=0)
