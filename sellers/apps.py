import oscar.apps.partner.apps as apps
from django.urls import path
from django.utils.translation import gettext_lazy as _


class PartnerConfig(apps.PartnerConfig):
    """Oscar's partner app: each partner is a Peken seller (a shop)."""

    name = "sellers"
    verbose_name = _("Penjual")
    namespace = "sellers"

    def get_urls(self):
        from sellers import views

        return self.post_process_urls([
            path("daftar/", views.SellerRegisterView.as_view(), name="register"),
            path("toko-saya/", views.MySellersView.as_view(), name="mine"),
            path("toko/<int:pk>/", views.SellerShopView.as_view(), name="shop"),
            path("nilai/<str:order_number>/", views.OrderRatingView.as_view(), name="rate"),
            path("verifikasi/", views.VerificationQueueView.as_view(), name="verification-queue"),
            path("verifikasi/<int:pk>/", views.VerificationDecisionView.as_view(),
                 name="verification-decide"),
            path("verifikasi/laporan/", views.ReportQueueView.as_view(), name="verification-reports"),
        ])
