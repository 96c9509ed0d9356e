"""Writes about seller orders: status moves, payment confirmation, automatic receipt."""

import logging
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sites.models import Site
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from orders import tasks
from orders.selectors import CARD, PAID_EVENT, REFUNDED_EVENT, order_is_card, order_payment
from orders.signals import order_status_changed
from orders.statuses import REASON_REQUIRED, UNSOLD, OrderStatus, Party, order_move_allowed
from payments.models import RefundStatus
from payments.services import payment_refund
from peken import locks
from peken.mail import mail_users

Order = get_model("order", "Order")
Line = get_model("order", "Line")
OrderStatusChange = get_model("order", "OrderStatusChange")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
StockRecord = get_model("partner", "StockRecord")
logger = logging.getLogger(__name__)

# Entering these, the goods are back on the shelf; entering SENT or (from
# ready-for-pickup) RECEIVED, they have left the shop.
RELEASES_STOCK = UNSOLD
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class OrderStatusError(Exception):
    """A move the transition table does not allow, or one missing what it needs."""


def checkout_reference_new() -> str:
    """A checkout reference the buyer can read out: PKN- and 8 unambiguous characters."""
    return "PKN-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(8))


def order_status_change(
    *, order: Order, actor: AbstractBaseUser | None, party: str, status: str, reason: str = ""
) -> OrderStatusChange:
    """Move a seller's order to ``status`` as ``party`` (seller, buyer or system) and record it.

    The order row is locked, so a seller and a buyer acting at once cannot
    both move it (then its stock records, in the order of peken/locks.py).
    The move must be in orders.statuses.TRANSITIONS for that party;
    ready-for-pickup only follows pickup and sent only delivery; a card order
    is accepted only once its payment is confirmed; rejection and
    cancellation need a reason. Rejection and cancellation put the stock back
    and refund a paid card order through Stripe; sending, or the buyer taking
    a pickup order, consumes the stock. The other side is emailed after
    commit. Raises OrderStatusError with a message for the person acting.
    """
    reason = reason.strip()
    with transaction.atomic():
        (order,) = locks.orders_lock(
            Order.objects.filter(pk=order.pk)
            .select_related("seller")
            .prefetch_related("sources__source_type")
        )
        old = order.status
        if not order_move_allowed(old=old, new=status, party=party):
            raise OrderStatusError(
                _("Pesanan %(number)s berstatus %(old)s dan tidak bisa diubah ke %(new)s.")
                % {"number": order.number, "old": order.status_label, "new": OrderStatus(status).label}
            )
        if status == OrderStatus.READY and not order.is_pickup:
            raise OrderStatusError(_("Pesanan ini diantar, bukan diambil: tandai sebagai dikirim."))
        if status == OrderStatus.SENT and order.is_pickup:
            raise OrderStatusError(_("Pesanan ini diambil pembeli: tandai sebagai siap diambil."))
        if status == OrderStatus.ACCEPTED and order.date_paid is None and order_is_card(order):
            raise OrderStatusError(_("Pembayaran kartu pesanan ini belum dikonfirmasi."))
        if status in REASON_REQUIRED and not reason:
            raise OrderStatusError(_("Tuliskan alasannya."))
        now = timezone.now()
        order.status = status
        order.date_status_changed = now
        order.save(update_fields=["status", "date_status_changed"])
        order.lines.update(status=status)
        change = OrderStatusChange.objects.create(
            order=order, old_status=old, new_status=status, actor=actor, party=party, reason=reason
        )
        _stock_follow(order=order, old=old, new=status)
        if status in RELEASES_STOCK and order.date_paid is not None:
            _refund_queue(order=order, actor=actor, reason=reason)
        # official buying releases the budget and records the move in its trail (orders/signals.py)
        order_status_changed.send(
            sender=Order,
            order=order,
            change=change,
            old=old,
            new=status,
            actor=actor,
            party=party,
            reason=reason,
        )
        transaction.on_commit(lambda: tasks.order_status_notify.delay(change.pk))
    return change


def _stock_follow(*, order: Order, old: str, new: str) -> None:
    """Give back or consume the order's stock allocation, the records locked as peken/locks.py says."""
    if new in RELEASES_STOCK:
        action = "cancel_allocation"
    elif new == OrderStatus.SENT or (old == OrderStatus.READY and new == OrderStatus.RECEIVED):
        action = "consume_allocation"
    else:
        return
    wanted: dict[int, int] = {}
    for line in order.lines.all():
        if line.stockrecord_id:
            wanted[line.stockrecord_id] = wanted.get(line.stockrecord_id, 0) + line.quantity
    records = locks.stock_records_lock(
        StockRecord.objects.filter(pk__in=wanted).select_related("product__product_class")
    )
    for record in records:
        if record.can_track_allocations:
            getattr(record, action)(wanted[record.pk])


def _refund_queue(*, order: Order, actor: AbstractBaseUser | None, reason: str) -> None:
    """Refund a paid card order in full through Stripe, after commit; keyed so it happens once."""
    if not order_is_card(order):
        return
    args = (order.pk, getattr(actor, "pk", None), reason)
    transaction.on_commit(lambda: tasks.order_refund.delay(*args))


def order_refund(*, order_id: int, actor: AbstractBaseUser | None, reason: str) -> bool:
    """Give a paid card order's total back to the card, and record it on the order, once.

    The refund is asked of Stripe once per order (its idempotency key is the
    order number), so a retried task refunds nothing twice. Once Stripe has
    taken it, the order gets a "Dikembalikan" payment event with the amount
    and its card source the refunded amount: that is what the buyer's page
    shows. Returns whether this call recorded it. Raises RefundRefused and
    PaymentGatewayError as payments.services.payment_refund does.
    """
    order = Order.objects.get(pk=order_id)
    refund = payment_refund(
        reference=order.checkout_reference,
        amount=order.total_incl_tax,
        idempotency_key=f"refund-order-{order.number}",
        actor=actor,
        reason=reason,
    )
    if refund.status != RefundStatus.SUCCEEDED:
        return False
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        event_type, _created = PaymentEventType.objects.get_or_create(name=REFUNDED_EVENT)
        if order.payment_events.filter(event_type=event_type).exists():
            return False
        PaymentEvent.objects.create(
            order=order, event_type=event_type, amount=refund.amount, reference=refund.stripe_refund_id or ""
        )
        order.sources.filter(source_type__code=CARD).update(amount_refunded=refund.amount)
    return True


def order_group_payment_confirm(*, reference: str, amount: Decimal, intent_id: str) -> int:
    """Mark the orders of one checkout paid once its card payment succeeded; returns how many.

    Called by the payment webhook with the Payment row locked, so it cannot
    interleave with the placement of these orders (which locks the same row).
    Idempotent: an order already paid is left alone. If the amount paid does
    not match the orders' total nothing is marked and the mismatch is logged
    for staff. An order the seller rejected before the payment was confirmed
    is refunded now.
    """
    with transaction.atomic():
        orders = locks.orders_lock(Order.objects.filter(checkout_reference=reference))
        if not orders:
            return 0
        total = sum((o.total_incl_tax for o in orders), Decimal(0))
        if total != amount:
            logger.error(
                "Checkout %s: paid %s by %s but its orders total %s", reference, amount, intent_id, total
            )
            return 0
        event_type, _created = PaymentEventType.objects.get_or_create(name=PAID_EVENT)
        now, marked = timezone.now(), 0
        for order in orders:
            if order.date_paid is not None:
                continue
            order.date_paid = now
            order.save(update_fields=["date_paid"])
            PaymentEvent.objects.create(
                order=order, event_type=event_type, amount=order.total_incl_tax, reference=intent_id
            )
            order.sources.filter(source_type__code=CARD).update(
                amount_debited=order.total_incl_tax, reference=intent_id
            )
            if order.status in RELEASES_STOCK:
                _refund_queue(
                    order=order, actor=None, reason=_("Pesanan sudah dibatalkan saat pembayaran masuk.")
                )
            marked += 1
    return marked


def payment_succeeded_receive(sender, *, payment, **kwargs) -> None:
    """payments.signals.payment_succeeded: mark that checkout's orders paid (connected in orders/apps.py)."""
    order_group_payment_confirm(
        reference=payment.reference, amount=payment.amount, intent_id=payment.intent_id
    )


def orders_auto_confirm(*, now: datetime | None = None) -> int:
    """Count as received every order sent or ready for pickup PEKEN_AUTO_CONFIRM_DAYS ago or more.

    Run hourly by Celery beat; each order moves through order_status_change
    as the system, so a buyer confirming at the same moment wins or loses
    cleanly. An official order (no buyer user) is never confirmed by the
    clock: its agency records what arrived in a handover record. Returns how
    many orders it confirmed.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.PEKEN_AUTO_CONFIRM_DAYS)
    due = Order.objects.filter(
        status__in=[OrderStatus.SENT, OrderStatus.READY], date_status_changed__lte=cutoff, user__isnull=False
    ).values_list("pk", flat=True)
    confirmed = 0
    for pk in due:
        try:
            order_status_change(
                order=Order(pk=pk),
                actor=None,
                party=Party.SYSTEM,
                status=OrderStatus.RECEIVED,
                reason=_("Dikonfirmasi otomatis setelah %(days)d hari.")
                % {"days": settings.PEKEN_AUTO_CONFIRM_DAYS},
            )
            confirmed += 1
        except OrderStatusError:
            continue  # the buyer confirmed in the meantime
    return confirmed


def _site_url() -> str:
    return f"{settings.OSCAR_URL_SCHEMA}://{Site.objects.get_current().domain}"


def order_status_notify(*, change_id: int) -> bool:
    """Email the other side of a status move once, however often the task runs.

    A seller's or the system's move goes to the buyer; a buyer's move goes to
    the seller's users. Returns whether an email went out.
    """
    with transaction.atomic():
        change = (
            OrderStatusChange.objects.select_for_update(of=("self",))
            .select_related("order__user", "order__seller")
            .get(pk=change_id)
        )
        if change.date_notified:
            return False
        order = change.order
        if change.party == Party.BUYER:
            users = list(order.seller.users.all()) if order.seller else []
            path = reverse("sellers:centre-order-detail", kwargs={"number": order.number})
        else:
            users = [order.user] if order.user else []
            path = reverse("customer:order", kwargs={"order_number": order.number})
        payment = order_payment(order=order)

        def render() -> tuple[str, str]:
            status = OrderStatus(change.new_status).label
            return (
                _("Pesanan %(number)s: %(status)s") % {"number": order.number, "status": status},
                render_to_string(
                    "orders/emails/status_changed.txt",
                    {
                        "change": change,
                        "order": order,
                        "url": _site_url() + path,
                        "status": status,
                        "payment": payment,
                        "to_buyer": change.party != Party.BUYER,
                    },
                ),
            )

        sent = mail_users(users=users, render=render)
        change.date_notified = timezone.now()
        change.save(update_fields=["date_notified"])
    return bool(sent)


def order_seller_notify(*, order_id: int) -> bool:
    """Tell the seller's users about a new order once; the placed row's notified date records it."""
    with transaction.atomic():
        change = (
            OrderStatusChange.objects.select_for_update(of=("self",))
            .select_related("order__seller")
            .filter(order_id=order_id, old_status="")
            .first()
        )
        if change is None or change.date_notified:
            return False
        order = change.order
        path = reverse("sellers:centre-order-detail", kwargs={"number": order.number})
        context = {
            "order": order,
            "lines": order.lines.all(),
            "url": _site_url() + path,
            "payment": order_payment(order=order),
        }
        sent = mail_users(
            users=order.seller.users.all() if order.seller else [],
            render=lambda: (
                _("Pesanan baru %(number)s di Peken") % {"number": order.number},
                render_to_string("orders/emails/new_order.txt", context),
            ),
        )
        change.date_notified = timezone.now()
        change.save(update_fields=["date_notified"])
    return bool(sent)
