"""Every report page and export, under /laporan/ in the "reports" namespace.

tests/test_reports_access.py walks them all: a new URL without an access rule fails there.
"""

from django.urls import path

from reports import views, views_exposure, views_own, views_red_flags, views_spend

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
    path("pembayaran-pajak/", views_own.PaymentsView.as_view(), name="payments"),
    path("pembayaran-pajak/unduh.<str:fmt>", views_own.PaymentsExportView.as_view(), name="payments-export"),
    path("penjualan/", views_own.SalesView.as_view(), name="sales"),
    path("penjualan/unduh.<str:fmt>", views_own.SalesExportView.as_view(), name="sales-export"),
    # large exports built by a worker: the person's list, each one's progress and its file
    path("unduhan/", views.ExportsView.as_view(), name="exports"),
    path("unduhan/<int:pk>/status/", views.ExportStatusView.as_view(), name="export-status"),
    path("unduhan/<int:pk>/unduh/", views.ExportDownloadView.as_view(), name="export-download"),
    path("belanja/", views_spend.SpendView.as_view(), name="spend"),
    path("belanja/pembelian/", views_spend.SpendPurchasesView.as_view(), name="spend-purchases"),
    path("belanja/unduh.<str:fmt>", views_spend.SpendExportView.as_view(), name="spend-export"),
]
