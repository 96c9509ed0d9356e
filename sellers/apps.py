import oscar.apps.partner.apps as apps
from django.urls import path
from django.utils.translation import gettext_lazy as _


class PartnerConfig(apps.PartnerConfig):
    """Oscar's partner app: each partner is a Peken seller (a shop)."""

    name = "sellers"
    verbose_name = _("Penjual")
    namespace = "sellers"

    def ready(self):
        super().ready()
        # imported here: these load models, not ready while app configs are imported
        from peken.imports import import_runner_register
        from peken.models import ImportKind
        from sellers.services import stock_csv_job_apply

        import_runner_register(ImportKind.STOCK_CSV, stock_csv_job_apply)

    def get_urls(self):
        # imported here: the views load models, not ready while app configs are imported
        from sellers import centre, views

        return self.post_process_urls(
            [
                path("daftar/", views.SellerRegisterView.as_view(), name="register"),
                path("toko-saya/", views.MySellersView.as_view(), name="mine"),
                path("toko/<int:pk>/", views.SellerShopView.as_view(), name="shop"),
                path("nilai/<str:order_number>/", views.OrderRatingView.as_view(), name="rate"),
                path("verifikasi/", views.VerificationQueueView.as_view(), name="verification-queue"),
                path(
                    "verifikasi/<int:pk>/",
                    views.VerificationDecisionView.as_view(),
                    name="verification-decide",
                ),
                path("verifikasi/laporan/", views.ReportQueueView.as_view(), name="verification-reports"),
                path("verifikasi/produk/", views.ListingQueueView.as_view(), name="verification-listings"),
                path(
                    "verifikasi/produk/<int:pk>/",
                    views.ListingDecisionView.as_view(),
                    name="verification-listing-decide",
                ),
                # The seller centre: every name starts with "centre-"
                # (tests/test_seller_isolation.py walks them).
                path("pusat/", centre.CentreHomeView.as_view(), name="centre-home"),
                path("pusat/produk/", centre.CentreProductListView.as_view(), name="centre-products"),
                path(
                    "pusat/produk/baru/",
                    centre.CentreProductCreateView.as_view(),
                    name="centre-product-create",
                ),
                path(
                    "pusat/produk/<int:pk>/ubah/",
                    centre.CentreProductEditView.as_view(),
                    name="centre-product-edit",
                ),
                path("pusat/stok/templat.csv", centre.CentreStockCsvView.as_view(), name="centre-stock-csv"),
                path("pusat/stok/", centre.CentreStockUploadView.as_view(), name="centre-stock-upload"),
                path(
                    "pusat/stok/konfirmasi/",
                    centre.CentreStockConfirmView.as_view(),
                    name="centre-stock-confirm",
                ),
                path(
                    "pusat/stok/<int:pk>/", centre.CentreStockUpdateView.as_view(), name="centre-stock-update"
                ),
                path(
                    "pusat/stok/impor/<int:pk>/", centre.CentreStockJobView.as_view(), name="centre-stock-job"
                ),
                path(
                    "pusat/stok/impor/<int:pk>/status/",
                    centre.CentreStockJobStatusView.as_view(),
                    name="centre-stock-job-status",
                ),
                path("pusat/pesanan/", centre.CentreOrderListView.as_view(), name="centre-orders"),
                path(
                    "pusat/pesanan/<str:number>/",
                    centre.CentreOrderDetailView.as_view(),
                    name="centre-order-detail",
                ),
                path(
                    "pusat/pesanan/<str:number>/cetak/",
                    centre.CentreOrderPrintView.as_view(),
                    name="centre-order-print",
                ),
                path("pusat/penjualan/", centre.CentreSalesView.as_view(), name="centre-sales"),
                path("pusat/pajak/", centre.CentreTaxView.as_view(), name="centre-tax"),
            ]
        )
