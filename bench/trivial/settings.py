"""The ceiling of the storefront benchmark: one Django view, no middleware, no database, no template.

Served by the same gunicorn setup as the shops (bench/run.py), so its requests per second
are what any page can reach on this machine at best.
"""

DEBUG = False
SECRET_KEY = "bench-only-trivial-view"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.trivial.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
