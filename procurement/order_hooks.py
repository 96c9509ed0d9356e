"""Procurement's side of the marketplace's official orders, hooked in when the app is ready.

The orders and sellers apps never import procurement: orders sends
``order_status_changed`` and the seller centre asks its order-extras
registry, and the functions here answer for official orders (placed with no
buyer user, their checkout reference the requisition's reference).
"""

from django.db import transaction

from orders.services import RELEASES_STOCK
from orders.statuses import OrderStatus
from procurement import tasks
from procurement.audit import audit_official_order_status
from procurement.models import Requisition
from procurement.selectors_seller import seller_official_order
from procurement.services import requisition_seller_order_released
from sellers.order_extras import OrderExtra

# the seller's moves the requester is emailed about
REQUESTER_HEARS = frozenset({OrderStatus.ACCEPTED, OrderStatus.REJECTED, OrderStatus.SENT})


def _is_official(order) -> bool:
    return order.user_id is None and bool(order.checkout_reference)


def official_order_status_changed(sender, *, order, change, old, new, actor, party, reason, **kwargs) -> None:
    """An official order moved: give a rejected or cancelled one's amount back, record it, tell the requester.

    Runs in the transaction of the move; the release's locks follow
    peken/locks.py, which names this path as its one known step back. Once the
    seller accepts, the contract document is issued after commit (by a task, in
    transactions of its own: procurement.services.documents).
    """
    if new in RELEASES_STOCK and order.checkout_reference:
        requisition_seller_order_released(order=order, actor=actor)
    if not _is_official(order):
        return
    audit_official_order_status(order=order, old=old, new=new, actor=actor, party=party, reason=reason)
    if new in REQUESTER_HEARS:
        transaction.on_commit(lambda: tasks.official_order_notify.delay(change.pk))
    if new == OrderStatus.ACCEPTED:
        actor_id = getattr(actor, "pk", None)
        transaction.on_commit(lambda: tasks.official_documents_issue.delay(order.pk, actor_id))


def official_order_extra(order) -> OrderExtra | None:
    """What a seller needs on an official order's page and sheet (None for other orders): the agency's
    details, each handover (BAST), the invoice, the taxes and the payment (selectors_seller)."""
    if not _is_official(order):
        return None
    requisition = (
        Requisition.objects.select_related("agency", "unit")
        .filter(checkout_reference=order.checkout_reference)
        .first()
    )
    if requisition is None:
        return None
    return OrderExtra(
        template="procurement/seller/official_order.html",
        context=seller_official_order(order=order, requisition=requisition),
    )
