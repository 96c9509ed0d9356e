"""Production: every secret and host comes from the environment; HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, DEV_AUDIT_KEY, database, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
PEKEN_SITE_DOMAIN = env("PEKEN_SITE_DOMAIN")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {
    "default": database(env("DATABASE_URL"), conn_max_age=env.int("DJANGO_CONN_MAX_AGE", default=60))
}
# Shared by every worker: the page, card, count and menu caches must be one cache.
CACHES = {**CACHES, "default": env.cache("CACHE_URL")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "peken.cache.PekenRedisCache"  # one client per pool, not per call
# Sessions read from that cache, the database only when the cache has lost one.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
OSCAR_BASKET_COOKIE_SECURE = True
OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
OSCAR_URL_SCHEMA = "https"

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)

# The audit chain's HMAC keys (base.py): required, start-up fails without them; never the dev key.
PEKEN_AUDIT_KEYS = env.list("PEKEN_AUDIT_KEYS")
if (
    DEV_AUDIT_KEY in PEKEN_AUDIT_KEYS
    or not PEKEN_AUDIT_KEYS
    or any(len(key.partition(":")[2]) < 32 for key in PEKEN_AUDIT_KEYS)
):
    raise ImproperlyConfigured(
        "PEKEN_AUDIT_KEYS: set id:secret keys (secrets of 32+ random characters), never the development key"
    )

# Demo accounts with known passwords must never exist here.
PEKEN_DEMO_DATA_ALLOWED = False
# Synthetic benchmark data only where the benchmark asks for it.
PEKEN_SYNTHETIC_DATA_ALLOWED = env.bool("PEKEN_SYNTHETIC_DATA_ALLOWED", default=False)

# Real Stripe. Card payment is offered only when all three keys are set.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_JS_URL = env("STRIPE_JS_URL", default="https://js.stripe.com/v3/")

# Behind the HTTPS proxy every request comes from the proxy's address: the sign-in guard
# counts wrong passwords per visitor from the address the proxy (or proxies) forwarded.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
AXES_IPWARE_PROXY_COUNT = env.int("PEKEN_TRUSTED_PROXY_COUNT", default=1)
