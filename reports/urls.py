"""Every report page and export, under /laporan/ in the "reports" namespace.

tests/test_reports_access.py walks them all: a new URL without an access rule fails there.
"""

from django.urls import path

from reports import views, views_exposure, views_red_flags

app_name = "reports"

urlpatterns = [
    path("", views.RealisationCityView.as_view(), name="realisation"),
    path("realisasi/unduh.<str:fmt>", views.RealisationExportView.as_view(), name="realisation-export"),
    path("realisasi/opd/<slug:code>/", views.RealisationAgencyView.as_view(), name="realisation-agency"),
    path("realisasi/pos/<int:pk>/", views.RealisationLineView.as_view(), name="realisation-line"),
    path("umkm/", views.UmkmShareView.as_view(), name="umkm"),
    path("umkm/unduh.<str:fmt>", views.UmkmExportView.as_view(), name="umkm-export"),
    path("paparan/", views_exposure.ExposureView.as_view(), name="exposure"),
    path("paparan/unduh.<str:fmt>", views_exposure.ExposureExportView.as_view(), name="exposure-export"),
    path("tanda-bahaya/", views_red_flags.RedFlagsView.as_view(), name="red-flags"),
    path(
        "tanda-bahaya/unduh.<str:fmt>", views_red_flags.RedFlagsExportView.as_view(), name="red-flags-export"
    ),
]
