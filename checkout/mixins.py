from django.db import transaction
from oscar.apps.checkout import mixins
from oscar.core.loading import get_model

from checkout import services
from checkout.tasks import order_confirmation_send

SourceType = get_model("payment", "SourceType")
Source = get_model("payment", "Source")

PAY_ON_DELIVERY = "bayar-di-tempat"


class OrderPlacementMixin(mixins.OrderPlacementMixin):
    def handle_payment(self, order_number, total, **kwargs):
        # Pay on delivery: nothing is taken now; the source records what the
        # seller is to collect when the goods are handed over.
        source_type, _ = SourceType.objects.get_or_create(
            code=PAY_ON_DELIVERY, defaults={"name": "Bayar di tempat"}
        )
        self.add_payment_source(
            Source(source_type=source_type, currency=total.currency, amount_allocated=total.incl_tax)
        )

    def handle_order_placement(self, order_number, user, basket, *args, **kwargs):
        # One transaction for the order, its addresses, payment records and
        # stock allocation: a buyer who loses the race for the last unit
        # leaves nothing behind.
        with transaction.atomic():
            services.stock_lock_for_basket(basket=basket)
            return super().handle_order_placement(order_number, user, basket, *args, **kwargs)

    def send_order_placed_email(self, order):
        transaction.on_commit(lambda: order_confirmation_send.delay(order.id))
