"""Every report page and export, under /laporan/ in the "reports" namespace.

tests/test_reports_access.py walks them all: a new URL without an access rule fails there.
"""

from django.urls import path

from reports import views, views_spend

app_name = "reports"

urlpatterns = [
    path("", views.RealisationCityView.as_view(), name="realisation"),
    path("realisasi/unduh.<str:fmt>", views.RealisationExportView.as_view(), name="realisation-export"),
    path("realisasi/opd/<slug:code>/", views.RealisationAgencyView.as_view(), name="realisation-agency"),
    path("realisasi/pos/<int:pk>/", views.RealisationLineView.as_view(), name="realisation-line"),
    path("umkm/", views.UmkmShareView.as_view(), name="umkm"),
    path("umkm/unduh.<str:fmt>", views.UmkmExportView.as_view(), name="umkm-export"),
    path("belanja/", views_spend.SpendView.as_view(), name="spend"),
    path("belanja/pembelian/", views_spend.SpendPurchasesView.as_view(), name="spend-purchases"),
    path("belanja/unduh.<str:fmt>", views_spend.SpendExportView.as_view(), name="spend-export"),
]
