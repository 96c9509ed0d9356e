from decimal import Decimal

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from oscar.apps.checkout import mixins
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.apps.payment.exceptions import PaymentError
from oscar.core.loading import get_class, get_model

from checkout import services
from checkout.tasks import order_confirmation_send
from orders import selectors as order_selectors
from orders import services as order_services
from orders.statuses import Party
from orders.tasks import order_seller_notify
from orders.writer import LineSpec, OrderSpec, orders_create
from payments.models import PaymentStatus
from payments.services import payment_for_basket_confirm, payment_unplaced_refund
from peken.db import retry_on_conflict

SourceType = get_model("payment", "SourceType")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")

PAY_ON_DELIVERY = order_selectors.PAY_ON_DELIVERY
CARD = order_selectors.CARD
SOURCE_NAMES = {PAY_ON_DELIVERY: "Bayar di tempat", CARD: "Kartu debit/kredit"}


class OrderPlacementMixin(mixins.OrderPlacementMixin):
    """One checkout, one order per seller, all under one checkout reference.

    The basket is split by seller; each seller's order carries its own lines,
    its own shipping choice and fee, its own status and emails. The orders
    are written by orders.writer.orders_create, the writer official approval
    uses too, in one transaction with the stock locked, so a buyer who loses
    the race for the last unit, or whose card payment does not check out,
    leaves nothing behind.

    Placing is idempotent per basket (as Saleor's checkout completion): the
    transaction first locks the basket's row and finds it open, and submits
    it before committing, so a crash leaves the basket as it was before the
    click, and a second click (or a requisition from another device) waits
    for the first and then finds it submitted. A second click lands on the
    first one's thank-you page. A deadlock or serialization failure runs the
    whole transaction again (peken.db.retry_on_conflict).
    """

    _payment_method = PAY_ON_DELIVERY
    _card_payment = None

    def handle_payment(self, order_number, total, **kwargs):
        # Pay on delivery takes nothing now: each order's source records what
        # its seller collects at handover. A card payment is already confirmed
        # in the browser; it is checked, with its row locked, at placement.
        self._payment_method = self.checkout_session.payment_method() or PAY_ON_DELIVERY

    def handle_order_placement(
        self,
        order_number,
        user,
        basket,
        shipping_address,
        shipping_method,
        shipping_charge,
        billing_address,
        order_total,
        surcharges=None,
        **kwargs,
    ):
        unsaved = [a for a in (shipping_address, billing_address) if a is not None and a.pk is None]

        @retry_on_conflict
        def place():
            for address in unsaved:  # saved by an attempt that was rolled back
                address.pk, address._state.adding = None, True
            with transaction.atomic():
                services.basket_lock_open(basket=basket)
                return self._orders_place(
                    order_number,
                    user,
                    basket,
                    shipping_address,
                    shipping_method,
                    billing_address,
                    order_total,
                    **kwargs,
                )

        try:
            orders = place()
        except services.BasketNotOpen as error:
            return self.handle_basket_not_open(error)
        except UnableToPlaceOrder:
            if self._card_payment is not None:
                # paid, but the goods are gone: the money goes back, unless an order uses it
                payment_unplaced_refund(
                    reference=self._card_payment.reference,
                    actor=user,
                    reason="Pesanan gagal dibuat setelah pembayaran",
                )
            raise
        return self.handle_successful_orders(orders)

    def handle_basket_not_open(self, error):
        """A second click lands on the first one's thank-you page; a basket put to another use says so."""
        first = error.orders[0] if error.orders else None
        if first is not None and first.user_id == getattr(self.request.user, "pk", None):
            self.checkout_placed(first)
            return HttpResponseRedirect(self.get_success_url())
        self.checkout_session.flush()
        messages.error(self.request, str(error))
        return HttpResponseRedirect(reverse("basket:summary"))

    def checkout_placed(self, order):
        """End the checkout in the session; the thank-you page shows `order`'s checkout."""
        self.checkout_session.flush()
        self.request.session["checkout_order_id"] = order.id
        self.request.session["checkout_reference"] = order.checkout_reference

    def freeze_basket(self, basket):
        # Not saved before placement, as Oscar does: placement locks the open basket and
        # submits it in one transaction. A freeze saved here would outlive a crash (the
        # shopper then faces an empty basket) and would overwrite a submission made
        # meanwhile from another tab or device.
        pass

    def restore_frozen_basket(self):
        # Nothing was frozen (see freeze_basket), and a basket another request submitted
        # stays submitted: thawing it would reopen a basket whose orders exist.
        pass

    def _orders_place(
        self,
        order_number,
        user,
        basket,
        shipping_address,
        shipping_method,
        billing_address,
        order_total,
        **kwargs,
    ):
        # its locks are taken in the order peken/locks.py states
        if self._payment_method == CARD:
            try:
                self._card_payment = payment_for_basket_confirm(
                    basket=basket, user=user, amount=order_total.incl_tax
                )
            except PaymentError as error:
                raise UnableToPlaceOrder(str(error)) from error
            reference = self._card_payment.reference
        else:
            reference = order_services.checkout_reference_new()
        services.stock_lock_for_basket(basket=basket)
        shipping_address = self.create_shipping_address(user, shipping_address)
        billing_address = self.create_billing_address(user, billing_address, shipping_address)
        source_type = self._source_type_get()
        buyer = user if user.is_authenticated else None
        specs = []
        for n, part in enumerate(basket.seller_parts(), start=1):
            method = shipping_method.for_seller(part.seller.pk)
            charge = method.calculate(part)
            total = OrderTotalCalculator().calculate(part, charge)
            specs.append(
                OrderSpec(
                    number=f"{order_number}-{n}",
                    seller_id=part.seller.pk,
                    lines=[LineSpec.of_basket_line(line) for line in part.all_lines()],
                    total_incl_tax=total.incl_tax,
                    total_excl_tax=total.excl_tax,
                    currency=total.currency,
                    shipping_method=method.name,
                    shipping_code=method.code,
                    shipping_incl_tax=charge.incl_tax,
                    shipping_excl_tax=charge.excl_tax,
                    shipping_tax_code=charge.tax_code,
                    party=Party.BUYER,
                    actor=buyer,
                    user=buyer,
                    basket_id=basket.pk,
                    checkout_reference=reference,
                    shipping_address=shipping_address,
                    billing_address=billing_address,
                    source_type=source_type,
                )
            )
        orders = orders_create(specs=specs)
        if sum((o.total_incl_tax for o in orders), Decimal(0)) != order_total.incl_tax:
            raise UnableToPlaceOrder("The sellers' orders do not add up to the checkout total")
        if self._card_payment is not None and self._card_payment.status == PaymentStatus.SUCCEEDED:
            # Stripe says it is paid: the webhook may have come first and found no orders
            order_services.order_group_payment_confirm(
                reference=reference, amount=order_total.incl_tax, intent_id=self._card_payment.intent_id
            )
        basket.submit()
        return orders

    def create_shipping_address(self, user, shipping_address):
        # saved once for all of the checkout's orders
        if shipping_address is not None and shipping_address.pk:
            return shipping_address
        return super().create_shipping_address(user, shipping_address)

    def _source_type_get(self):
        """The payment source type of the chosen way to pay, made on first use."""
        source_type, _created = SourceType.objects.get_or_create(
            code=self._payment_method, defaults={"name": SOURCE_NAMES[self._payment_method]}
        )
        return source_type

    def handle_successful_orders(self, orders):
        for order in orders:
            self.send_order_placed_email(order)
        self.checkout_placed(orders[0])
        response = HttpResponseRedirect(self.get_success_url())
        for order in orders:
            self.send_signal(self.request, response, order)
        return response

    def send_order_placed_email(self, order):
        transaction.on_commit(lambda: order_confirmation_send.delay(order.id))
        transaction.on_commit(lambda: order_seller_notify.delay(order.id))
