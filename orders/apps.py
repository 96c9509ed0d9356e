import oscar.apps.order.apps as apps
from django.urls import path
from django.utils.translation import gettext_lazy as _


class OrderConfig(apps.OrderConfig):
    """Oscar's order app: one order per seller, its fulfilment and the buyer's side of it."""

    name = "orders"
    verbose_name = _("Pesanan")
    namespace = "orders"

    def get_urls(self):
        from orders import views

        return self.post_process_urls([
            path("checkout/<str:reference>/", views.CheckoutGroupView.as_view(), name="checkout-group"),
            path("<str:number>/status/", views.OrderTransitionView.as_view(), name="transition"),
            path("pengiriman-toko/", views.DeliveryTermsView.as_view(), name="delivery-terms"),
        ])
