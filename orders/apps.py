import oscar.apps.order.apps as apps
from django.urls import path
from django.utils.translation import gettext_lazy as _

from payments.signals import payment_succeeded


class OrderConfig(apps.OrderConfig):
    """Oscar's order app: one order per seller, its fulfilment and the buyer's side of it."""

    name = "orders"
    verbose_name = _("Pesanan")
    namespace = "orders"

    def ready(self):
        super().ready()
        # imported here: orders.services loads models, not ready while app configs are imported
        from orders.services import payment_succeeded_receive

        # payments never imports orders; it says when a checkout's card payment is paid
        payment_succeeded.connect(payment_succeeded_receive, dispatch_uid="orders-payment-succeeded")

    def get_urls(self):
        # imported here: the views load models, not ready while app configs are imported
        from orders import views

        return self.post_process_urls(
            [
                path("checkout/<str:reference>/", views.CheckoutGroupView.as_view(), name="checkout-group"),
                path("<str:number>/status/", views.OrderTransitionView.as_view(), name="transition"),
                path("pengiriman-toko/", views.DeliveryTermsView.as_view(), name="delivery-terms"),
            ]
        )
