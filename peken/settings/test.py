"""The test suite: PostgreSQL (DATABASE_URL), fast hashing, in-memory email."""

from .base import *  # noqa: F403
from .base import BASE_DIR, database, env

DATABASES = {
    "default": database(
        env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/peken"), conn_max_age=0
    )
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"
PEKEN_DEMO_DATA_ALLOWED = True
PEKEN_SYNTHETIC_DATA_ALLOWED = True

# Tasks run inline in tests; the one worker test turns this off and runs a real
# worker process against this broker (a database of the local Redis of its own).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_TASK_ALWAYS_EAGER = True
PEKEN_SERVE_MEDIA = True  # the live server of the browser tests serves product pictures
PEKEN_PAGE_CACHE_SECONDS = 0  # tests of the page cache turn it on themselves
PEKEN_RECOMMENDED_CACHE_SECONDS = 0  # likewise the Rekomendasi ranking cache (exposure/selectors.py)
PEKEN_REPORT_SUMMARY_SECONDS = 0  # and the city-wide report readings (reports/summaries.py)
# the API's limits are tested with their own low rates (tests/test_api_tokens.py)
PEKEN_API_RATE_TOKEN = "100000/min"
PEKEN_API_RATE_ADDRESS = "100000/min"
