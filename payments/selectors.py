"""Reads of card payments."""

from django.db.models import QuerySet, Sum

from payments.models import OPEN_STATUSES, Payment, PaymentStatus, Refund, RefundStatus

# A basket's payment that can still pay for it: open, or paid and not yet used by an
# order (the order is placed right after; a basket with an order is no longer open).
_USABLE = (*OPEN_STATUSES, PaymentStatus.SUCCEEDED)


def payment_usable_for_basket(*, basket, lock: bool = False) -> Payment | None:
    """The newest payment of this basket that is open or paid; locked for update if asked."""
    payments: QuerySet[Payment] = Payment.objects.filter(basket=basket, status__in=_USABLE)
    if lock:
        payments = payments.select_for_update()
    return payments.order_by("-pk").first()


def refund_totals(*, payment: Payment) -> tuple[int, int]:
    """(succeeded, pending) refund amounts of a payment, in rupiah, summed in the database."""
    sums = {
        row["status"]: row["total"]
        for row in Refund.objects.filter(payment=payment).values("status").annotate(total=Sum("amount"))
    }
    return sums.get(RefundStatus.SUCCEEDED, 0), sums.get(RefundStatus.PENDING, 0)
