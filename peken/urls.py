from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from api.views_tokens import TokenListView, TokenRevokeView
from buyers.views import language_set
from catalogue_ext.views import HomeView

urlpatterns = [
    path("i18n/setlang/", language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("", HomeView.as_view(), name="home"),
    path("penjual/", apps.get_app_config("partner").urls),
    path("pembayaran/", include("payments.urls")),
    path("akun/", apps.get_app_config("buyers").urls),
    path("pesanan/", apps.get_app_config("order").urls),
    path("pengadaan/", include("procurement.urls")),
    path("laporan/", include("reports.urls")),
    path("api/", include("api.urls")),
    path("akun/token-api/", TokenListView.as_view(), name="api-tokens"),
    path("akun/token-api/<int:pk>/cabut/", TokenRevokeView.as_view(), name="api-token-revoke"),
    # a printed document's QR code leads here: anyone may check it, signed in or not
    path("verifikasi/", include("procurement.urls_public")),
    # official purchases as open data (OCDS): public, no sign-in
    path("data-terbuka/", include("opendata.urls")),
    path("", include(apps.get_app_config("oscar").urls[0])),
]

# Uploaded product images; production serves them from the web server or object storage.
if settings.DEBUG or getattr(settings, "PEKEN_SERVE_MEDIA", False):
    urlpatterns.insert(0, path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

# Refusals and failures in the site's layout, saying why and where to go next.
handler400 = "peken.views.bad_request"
handler403 = "peken.views.permission_denied"
handler404 = "peken.views.page_not_found"
handler500 = "peken.views.server_error"
