"""Settings shared by every environment; the others import and adjust these."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403

from orders.statuses import OrderStatus, oscar_pipeline
from peken.money import CURRENCY_FORMAT

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])


def database(url: str, *, conn_max_age: int) -> dict:
    """The database of ``url``. On PostgreSQL its JIT is off: the planner's cost of the approvals
    badge and the report sums on a city's rows (hundreds of thousands) sets it off, and compiling
    took 1.8 s of a query that runs in 5 ms; no query of Peken's runs long enough to win it back."""
    db = env.db_url_config(url)
    db["CONN_MAX_AGE"] = conn_max_age
    db["CONN_HEALTH_CHECKS"] = True
    if "postgresql" in db["ENGINE"]:
        db.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return db


DATABASES = {
    "default": database(
        env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env.int("DJANGO_CONN_MAX_AGE", default=0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "csp",
    "django.forms",  # FORM_RENDERER below finds Django's own widget templates here
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "oscar.config.Shop",
    "catalogue_ext.analytics.apps.AnalyticsConfig",
    "checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "checkout.shipping.apps.ShippingConfig",
    "catalogue_ext.apps.CatalogueConfig",
    "catalogue_ext.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "sellers.apps.PartnerConfig",
    "checkout.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "orders.apps.OrderConfig",
    "buyers.customer.apps.CustomerConfig",
    "catalogue_ext.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "buyers.wishlists.apps.WishlistsConfig",
    "peken.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "treebeard",
    "django_tables2",
    "sorl.thumbnail",
    "django_celery_beat",
    "axes",
    "buyers",
    "exposure",
    "peken",
    "payments",
    "procurement",
    "reports",
    "opendata",
]

SITE_ID = 1
# The host links in emails point at (password reset, registration, orders); `manage.py peken_site`
# writes it to the Site, and the Procfile's release runs that.
PEKEN_SITE_DOMAIN = env("PEKEN_SITE_DOMAIN", default="127.0.0.1:8000")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the page cache and the error handlers, so a shared page and an error page get it too.
    "peken.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "peken.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before the basket middleware, whose price strategy loads the user: a shared page
    # needs neither (peken/page_cache.py); after everything that sets a header.
    "peken.page_cache.PageCacheMiddleware",
    "checkout.basket.middleware.BasketMiddleware",
    # After the basket: the 400 page it answers shows the header, which shows the basket.
    "peken.middleware.NulByteMiddleware",
    "procurement.middleware.OfficialCheckoutMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    # Last, so its lockout page replaces whatever the sign-in view answered.
    "axes.middleware.AxesMiddleware",
]
# Content-Security-Policy (django-csp): no inline script on any page. Scripts are Peken's
# own static files; the few staff pages whose Oscar templates need an inline script
# (the dashboard's "onbodyload") give it the request's nonce; a page the anonymous
# page cache shares never asks for one (templates/oscar/layout.html). Stripe's origins
# come from STRIPE_JS_URL per request (peken.middleware.ContentSecurityPolicyMiddleware).
# style-src-attr allows style="" attributes: Oscar's basket, checkout and voucher
# markup (and the Django admin) hide parts with style="display:none" that its
# scripts then show; style attributes cannot run script, <style> elements stay 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Catalogue pages are shared for this long (peken/page_cache.py; 0 turns the page cache off).
PEKEN_PAGE_CACHE_SECONDS = env.int("PEKEN_PAGE_CACHE_SECONDS", default=60)
# A product page's copy is keyed by its product's price, stock, pictures and fields, so it
# lives longer; what else it shows (the seller's name and rating) may be this old.
PEKEN_PRODUCT_PAGE_CACHE_SECONDS = env.int("PEKEN_PRODUCT_PAGE_CACHE_SECONDS", default=600)
# A signed-in shopper's own parts of shared pages (peken/personal.py): changes made
# elsewhere (a new inbox entry, a password changed on another device) show within this.
PEKEN_PERSONAL_PARTS_SECONDS = env.int("PEKEN_PERSONAL_PARTS_SECONDS", default=30)

# The Rekomendasi ordering of listings (the rule: exposure/selectors.py).
# A shop with at most FEW_ORDERS orders in the last WINDOW_DAYS is "quiet";
# quiet shops get QUIET_SHARE of the places; page one shows at most
# SELLER_CAP products of one shop. Order counts are refreshed every
# REFRESH_MINUTES by Celery beat.
PEKEN_RECOMMENDED_WINDOW_DAYS = env.int("PEKEN_RECOMMENDED_WINDOW_DAYS", default=30)
PEKEN_RECOMMENDED_FEW_ORDERS = env.int("PEKEN_RECOMMENDED_FEW_ORDERS", default=2)
PEKEN_RECOMMENDED_QUIET_SHARE = env.float("PEKEN_RECOMMENDED_QUIET_SHARE", default=0.5)
PEKEN_RECOMMENDED_SELLER_CAP = env.int("PEKEN_RECOMMENDED_SELLER_CAP", default=2)
# Shops' recent orders are recounted, and the catalogue and its categories
# ranked anew, this often: a new product shows in Rekomendasi within it.
PEKEN_RECOMMENDED_REFRESH_MINUTES = env.int("PEKEN_RECOMMENDED_REFRESH_MINUTES", default=15)
# How often Celery beat refreshes the reports' materialized views (personal shopping per day,
# kecamatan and category): how far behind the orders those figures can be (README).
PEKEN_REPORTS_VIEW_REFRESH_MINUTES = env.int("PEKEN_REPORTS_VIEW_REFRESH_MINUTES", default=5)
# A listing the refresh does not rank (a kecamatan filter, a search) is ranked in
# the request if it holds at most this many products, else shown newest first.
PEKEN_RECOMMENDED_RANK_IN_REQUEST_MAX = env.int("PEKEN_RECOMMENDED_RANK_IN_REQUEST_MAX", default=5000)
# How long a ranking made in the request is reused (new goods show after at most this).
PEKEN_RECOMMENDED_CACHE_SECONDS = env.int("PEKEN_RECOMMENDED_CACHE_SECONDS", default=60)

# Suggestions under the search box are reused per typed prefix for this long.
PEKEN_SEARCH_SUGGEST_CACHE_SECONDS = env.int("PEKEN_SEARCH_SUGGEST_CACHE_SECONDS", default=300)
# Words of new titles are offered as corrections ("Mungkin maksud Anda") after at most this.
PEKEN_SEARCH_WORDS_REFRESH_MINUTES = env.int("PEKEN_SEARCH_WORDS_REFRESH_MINUTES", default=15)

# The red flags, residents' shopping and the sellers near the cap are read city-wide and kept this
# long (reports/summaries.py); Celery beat reads this year and month again every so many minutes.
PEKEN_REPORT_SUMMARY_SECONDS = env.int("PEKEN_REPORT_SUMMARY_SECONDS", default=1800)
PEKEN_REPORT_SUMMARY_REFRESH_MINUTES = env.int("PEKEN_REPORT_SUMMARY_REFRESH_MINUTES", default=10)

# CSV uploads (sellers' stock, agencies' budgets): a file with more rows is refused before
# any row is checked; one with more than PEKEN_CSV_BACKGROUND_ROWS is applied by a Celery
# worker while the page shows its progress, so no upload holds a web worker for long.
PEKEN_CSV_MAX_ROWS = env.int("PEKEN_CSV_MAX_ROWS", default=5_000)
PEKEN_CSV_BACKGROUND_ROWS = env.int("PEKEN_CSV_BACKGROUND_ROWS", default=500)

ROOT_URLCONF = "peken.urls"
CSRF_FAILURE_VIEW = "peken.views.csrf_failure"  # in the site's layout, like the other refusals
WSGI_APPLICATION = "peken.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
                "procurement.context_processors.procurement",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so templates/ can replace one of Oscar's
# (oscar/forms/widgets/image_input_widget.html, without its inline handlers).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

AUTHENTICATION_BACKENDS = (
    # First: refuses a locked-out account or address before any password is checked.
    "peken.auth_backends.SignInGuardBackend",
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"

# Password guessing (django-axes): after FAILURE_LIMIT wrong passwords for one account,
# or from one address, signing in there is refused for COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.int("PEKEN_SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("PEKEN_SIGNIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each one on its own
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "peken.auth_backends.signin_username"
AXES_LOCKOUT_CALLABLE = "peken.views.signin_locked_out"

# Bahasa Indonesia first, English second; times in Surabaya's zone.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://peken"),
    # A thumbnail's name never changes once made, so each process keeps its
    # own copy of the lookups: a listing page costs no query and no network
    # round trip per image.
    "thumbnails": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "thumbnails",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
}
THUMBNAIL_KVSTORE = "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"
THUMBNAIL_CACHE = "thumbnails"

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Peken <noreply@peken.local>")

# Celery: with no broker configured, tasks run in-process at once.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "orders-auto-confirm": {"task": "orders.tasks.orders_auto_confirm", "schedule": 3600.0},
    "payments-unplaced-refund": {"task": "payments.tasks.payments_unplaced_refund", "schedule": 900.0},
    "exposure-seller-activity": {
        "task": "exposure.tasks.seller_activity_refresh",
        "schedule": 60.0 * PEKEN_RECOMMENDED_REFRESH_MINUTES,
    },
    "catalogue-recommended-order": {
        "task": "catalogue_ext.tasks.recommended_listings_refresh",
        "schedule": 60.0 * PEKEN_RECOMMENDED_REFRESH_MINUTES,
    },
    "catalogue-search-words": {
        "task": "catalogue_ext.tasks.search_words_refresh",
        "schedule": 60.0 * PEKEN_SEARCH_WORDS_REFRESH_MINUTES,
    },
    "procurement-requisitions-remind": {"task": "procurement.tasks.requisitions_remind", "schedule": 3600.0},
    "procurement-requisitions-expire": {"task": "procurement.tasks.requisitions_expire", "schedule": 3600.0},
    "procurement-audit-chain-watch": {"task": "procurement.tasks.audit_chain_watch", "schedule": 86400.0},
    "reports-exports-sweep": {"task": "reports.tasks.report_exports_sweep", "schedule": 3600.0},
    # last month's summary to every PA/KPA and city auditor, on the 1st at 07:00 (Asia/Jakarta)
    "reports-monthly-summary": {
        "task": "reports.tasks.monthly_summaries_send",
        "schedule": crontab(minute=0, hour=7, day_of_month=1),
    },
    "reports-summaries-refresh": {
        "task": "reports.tasks.summaries_refresh",
        "schedule": 60.0 * PEKEN_REPORT_SUMMARY_REFRESH_MINUTES,
    },
    # the spend report splits new payments itself before it reads; this keeps that work small
    "reports-spend-shares-split": {"task": "reports.tasks.spend_shares_split", "schedule": 300.0},
    "reports-views-refresh": {
        "task": "reports.tasks.materialized_views_refresh",
        "schedule": 60.0 * PEKEN_REPORTS_VIEW_REFRESH_MINUTES,
    },
    # every official purchase's releases as one compressed file, rebuilt at 01:30 (Asia/Jakarta)
    "opendata-bulk-build": {"task": "opendata.tasks.bulk_file_build", "schedule": crontab(minute=30, hour=1)},
}

# Django logs refusals on django.request and on one django.security.<name> logger per
# kind of suspicious request; each gets the filter that drops a refusal's traceback.
REFUSAL_LOGGERS = [
    "django.request",
    "django.security.csrf",
    *(
        f"django.security.{name}"
        for name in (
            "DisallowedHost",
            "DisallowedRedirect",
            "DisallowedModelAdminLookup",
            "DisallowedModelAdminToField",
            "InvalidSessionKey",
            "RequestDataTooBig",
            "SuspiciousFileOperation",
            "SuspiciousMultipartForm",
            "SuspiciousOperation",
            "SuspiciousSession",
            "TooManyFieldsSent",
            "TooManyFilesSent",
        )
    ),
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": "peken.log_filters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {name: {"filters": ["refusal_without_traceback"]} for name in REFUSAL_LOGGERS},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}
# the nightly audit watch logs the chain's head it publishes (INFO), a second copy besides the email
LOGGING["loggers"]["procurement.audit"] = {"level": "INFO"}

# Oscar
OSCAR_SHOP_NAME = "Peken"
OSCAR_HOMEPAGE = reverse_lazy("home")
OSCAR_SHOP_TAGLINE = _("Pasar elektronik UMKM kota")
OSCAR_DEFAULT_CURRENCY = "IDR"
# Rupiah is shown as Rp150.000 in every language: dot thousands, no decimals
# (peken.money's pattern, so Oscar's currency filter and Peken's rupiah agree).
OSCAR_CURRENCY_FORMAT = {"IDR": CURRENCY_FORMAT}
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = False
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "line1", "line4", "country")
OSCAR_INITIAL_ORDER_STATUS = OrderStatus.NEW.value
OSCAR_INITIAL_LINE_STATUS = OrderStatus.NEW.value
# Each seller's order moves through orders/statuses.py's table; Oscar's
# dashboard reads the same moves from here.
OSCAR_ORDER_STATUS_PIPELINE = oscar_pipeline()
# A line's status follows its order's (orders.services); no line moves on its own.
OSCAR_LINE_STATUS_PIPELINE = {status: () for status in OSCAR_ORDER_STATUS_PIPELINE}
OSCAR_PRODUCTS_PER_PAGE = 20
OSCAR_HIDDEN_FEATURES = ["wishlists"]
OSCAR_MISSING_IMAGE_URL = "image_not_found.jpg"
# Stock alerts are sent by the scheduled command, not inside the stock write.
OSCAR_EAGER_ALERTS = False
# Oscar's own search modules still import Haystack when its class loader
# looks for classes Peken does not override; storefront search itself is
# answered by PostgreSQL (catalogue_ext.selectors), so Haystack gets a
# do-nothing backend and no index updates.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

# Listing curation: a listing whose title or description holds one of these words or
# phrases (matched on whole words, any case), or that sits in one of these categories
# (by name, parents included), is held off sale until a verifier approves it.
PEKEN_HELD_KEYWORDS = env.list(
    "PEKEN_HELD_KEYWORDS",
    default=[
        "emas batangan",
        "logam mulia",
        "emas antam",
        "rokok",
        "minuman keras",
    ],
)
PEKEN_HELD_CATEGORIES = env.list(
    "PEKEN_HELD_CATEGORIES",
    default=[
        "Emas & Logam Mulia",
        "Rokok & Tembakau",
        "Minuman Beralkohol",
    ],
)

# Multi-seller checkout: delivery fee bands by straight-line distance between
# kecamatan centres (up to the first figure "near", up to the second "middle",
# beyond "far"), and how many days after an order is sent or ready for pickup
# it counts as received if the buyer has not confirmed.
PEKEN_DELIVERY_BANDS_KM = tuple(env.list("PEKEN_DELIVERY_BANDS_KM", cast=float, default=[5, 10]))
PEKEN_AUTO_CONFIRM_DAYS = env.int("PEKEN_AUTO_CONFIRM_DAYS", default=3)
# A card payment that succeeded but became no order (the buyer left) is refunded after this long.
PEKEN_UNPLACED_PAYMENT_REFUND_MINUTES = env.int("PEKEN_UNPLACED_PAYMENT_REFUND_MINUTES", default=60)

# Card payments (payments/): development and the tests talk to localstripe, the fake
# Stripe server that `make run` starts on port 8420; production sets the real keys.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="sk_test_peken_localstripe")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="pk_test_peken_localstripe")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="whsec_peken_localstripe")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="http://127.0.0.1:8420")
STRIPE_JS_URL = env("STRIPE_JS_URL", default="http://127.0.0.1:8420/js.stripe.com/v3/")

# Official procurement (procurement/): approval limits, value bands (DOMAIN.md), the
# official seller cap (E-Peken's fair-share rule), reminders, expiry, split warning.
PEKEN_APPROVAL_PP_LIMIT = env.int("PEKEN_APPROVAL_PP_LIMIT", default=200_000_000)
PEKEN_APPROVAL_PA_THRESHOLD = env.int("PEKEN_APPROVAL_PA_THRESHOLD", default=1_000_000_000)
PEKEN_VALUE_BANDS = env.list("PEKEN_VALUE_BANDS", cast=int, default=[10_000_000, 50_000_000, 200_000_000])
# Taxes of official purchases (procurement/tax.py; DOMAIN.md, 2026): rates in percent, the PPN
# base ("DPP nilai lain") as a fraction of the price, the small-purchase exemption, the meterai.
PEKEN_TAX_RATES_PERCENT = {
    "ppn_rate": "12",
    "pph22_rate": "1.5",
    "pph22_rate_without_npwp": "3",
    "pph23_rate": "2",
    "pph23_rate_without_npwp": "4",
    "pp55_rate": "0.5",
}
PEKEN_TAX_PPN_BASE = "11/12"
PEKEN_TAX_SMALL_PURCHASE = env.int("PEKEN_TAX_SMALL_PURCHASE", default=2_000_000)
PEKEN_METERAI_ABOVE = env.int("PEKEN_METERAI_ABOVE", default=5_000_000)
PEKEN_METERAI = env.int("PEKEN_METERAI", default=10_000)
PEKEN_SPLIT_WINDOW_DAYS = env.int("PEKEN_SPLIT_WINDOW_DAYS", default=30)
# Official purchases from delivery to the SPJ (procurement/services/fulfilment.py, documents.py).
# The channel: pengadaan_langsung, or e_purchasing once the city declares Peken a local catalogue.
PEKEN_PROCUREMENT_CHANNEL = env("PEKEN_PROCUREMENT_CHANNEL", default="pengadaan_langsung")
# A listing whose category (or a parent's) has one of these slugs is that kind unless its seller
# says otherwise; every other listing is goods.
PEKEN_SUPPLY_KIND_BY_CATEGORY = {
    "katering": "catering_service",
    "makanan-minuman-rapat": "catering_service",
    "jasa-cetak": "printing_service",
    "percetakan": "printing_service",
    "jasa": "other_service",
}
# Document numbers read {prefix}/{seq}/{agency code}/{year}.
PEKEN_DOCUMENT_PREFIXES = {
    "nota": "NOTA",
    "kuitansi": "KWT",
    "spk": "SPK",
    "surat_perjanjian": "SP",
    "surat_pesanan": "SPS",
    "bast": "BAST",
    "pajak": "PJK",
}
PEKEN_CITY_NAME = env("PEKEN_CITY_NAME", default="Pemerintah Kota Peken")
# The reconciliation page flags goods received but still unpaid after this many days.
PEKEN_UNPAID_AFTER_RECEIPT_DAYS = env.int("PEKEN_UNPAID_AFTER_RECEIPT_DAYS", default=14)
# Perpres 12/2021 art. 65: at least this share of official spend goes to micro and small businesses
# and cooperatives; the UMKM share report lists the agencies below it first
PEKEN_UMKM_SHARE_TARGET_PERCENT = env.int("PEKEN_UMKM_SHARE_TARGET_PERCENT", default=40)
# A report export of more rows than this (a PDF: PDF_ROWS; WeasyPrint lays out about 50 rows a
# second) is built by a Celery worker and kept for download KEEP_DAYS days. A PDF holds at most
# PDF_MAX_ROWS rows (its pages are laid out in memory, about 250 MB per 1,000 rows); CSV, XLSX any.
PEKEN_REPORT_BACKGROUND_ROWS = env.int("PEKEN_REPORT_BACKGROUND_ROWS", default=5000)
PEKEN_REPORT_BACKGROUND_PDF_ROWS = env.int("PEKEN_REPORT_BACKGROUND_PDF_ROWS", default=40)
PEKEN_REPORT_PDF_MAX_ROWS = env.int("PEKEN_REPORT_PDF_MAX_ROWS", default=2000)
PEKEN_REPORT_EXPORT_KEEP_DAYS = env.int("PEKEN_REPORT_EXPORT_KEEP_DAYS", default=7)
PEKEN_REPORT_EXPORT_CHUNK_ROWS = env.int("PEKEN_REPORT_EXPORT_CHUNK_ROWS", default=1000)
# The agency's government credit card pays one payee at most this much (Permendagri 79/2022).
PEKEN_KKPD_MAX_PER_PAYEE = env.int("PEKEN_KKPD_MAX_PER_PAYEE", default=200_000_000)
# A month's SPJ bundle with more documents than this is built by a Celery worker.
PEKEN_SPJ_BACKGROUND_DOCUMENTS = env.int("PEKEN_SPJ_BACKGROUND_DOCUMENTS", default=20)
PEKEN_OFFICIAL_SELLER_CAP = env.int("PEKEN_OFFICIAL_SELLER_CAP", default=30_000_000)
PEKEN_OFFICIAL_SELLER_CAP_DAYS = env.int("PEKEN_OFFICIAL_SELLER_CAP_DAYS", default=365)
# The exposure report lists sellers whose official purchases reach this share of the cap.
PEKEN_SELLER_CAP_NEAR_PERCENT = env.int("PEKEN_SELLER_CAP_NEAR_PERCENT", default=80)
# Red flags for auditors (reports/red_flags.py), pointers for a human, not findings: a line priced
# above FACTOR times the city's median for its "product" or "category"; a requester and seller pair
# more than FACTOR times the agency's median pair count (and at least MINIMUM purchases); a share
# within PERCENT under a value band; an agency approving more than FACTOR times its weekly average
# in the fiscal year's last WEEKS weeks. Decimals as text, as the tax rates above.
PEKEN_FLAG_PRICE_FACTOR = env("PEKEN_FLAG_PRICE_FACTOR", default="1.5")
PEKEN_FLAG_PRICE_BY = env("PEKEN_FLAG_PRICE_BY", default="product")
PEKEN_FLAG_PAIR_FACTOR = env("PEKEN_FLAG_PAIR_FACTOR", default="3")
PEKEN_FLAG_PAIR_MINIMUM = env.int("PEKEN_FLAG_PAIR_MINIMUM", default=3)
PEKEN_FLAG_BAND_WITHIN_PERCENT = env("PEKEN_FLAG_BAND_WITHIN_PERCENT", default="5")
PEKEN_FLAG_SPIKE_WEEKS = env.int("PEKEN_FLAG_SPIKE_WEEKS", default=4)
PEKEN_FLAG_SPIKE_FACTOR = env("PEKEN_FLAG_SPIKE_FACTOR", default="2")
PEKEN_APPROVAL_REMINDER_WORKING_DAYS = env.int("PEKEN_APPROVAL_REMINDER_WORKING_DAYS", default=2)
PEKEN_REQUISITION_EXPIRY_DAYS = env.int("PEKEN_REQUISITION_EXPIRY_DAYS", default=14)
# The audit chain's HMAC keys, "id:secret" comma-separated: the first signs new entries, every one
# verifies (to rotate, put the new key first and keep the old ones). Never stored in the database.
# DEV_AUDIT_KEY is a fixed DEVELOPMENT key, public in this repository, for dev and tests only:
# production.py requires PEKEN_AUDIT_KEYS from the environment and refuses this one.
DEV_AUDIT_KEY = "dev:peken-development-audit-key-public-never-use-in-production"
PEKEN_AUDIT_KEYS = env.list("PEKEN_AUDIT_KEYS", default=[DEV_AUDIT_KEY])
# An official purchase is needed by at most this many days ahead; a delegation lasts at most this many days.
PEKEN_NEEDED_BY_MAX_DAYS = env.int("PEKEN_NEEDED_BY_MAX_DAYS", default=730)
PEKEN_DELEGATION_MAX_DAYS = env.int("PEKEN_DELEGATION_MAX_DAYS", default=90)

# The REST API (api/): personal tokens or the site's own session; one error shape
# (api/errors.py); limits per token and per address, read per request (api/throttling.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ScopeRequired"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle", "api.throttling.AddressRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.PekenAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Peken API",
    "DESCRIPTION": (
        "The city e-marketplace's API: the catalogue, a shop's listings and orders, a buyer's orders, "
        "official buying (requisitions, approvals, budgets, receipts, payments) and the spending "
        "reports. It runs the same services and rules as the site's pages. Errors are JSON "
        '`{"error": {"code", "message", "fields"}}`; messages follow Accept-Language (id, en).'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}
PEKEN_API_TOKENS_PER_USER = env.int("PEKEN_API_TOKENS_PER_USER", default=10)
PEKEN_API_RATE_TOKEN = env("PEKEN_API_RATE_TOKEN", default="120/min")
PEKEN_API_RATE_ADDRESS = env("PEKEN_API_RATE_ADDRESS", default="300/min")
# Open data (OCDS 1.1, opendata/): the prefix the Open Contracting Partnership assigns a
# publisher ("ocds-" and six characters; this default is a placeholder until the city registers
# one), before each process's order number in its ocid; and the licence the packages name.
PEKEN_OCDS_PREFIX = env("PEKEN_OCDS_PREFIX", default="ocds-peken0")
PEKEN_OCDS_LICENSE = env("PEKEN_OCDS_LICENSE", default="https://creativecommons.org/licenses/by/4.0/")
