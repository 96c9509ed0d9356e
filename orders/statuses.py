"""The life of one seller's order: its statuses and who may move it where.

Kept free of models so settings can derive Oscar's status pipeline from it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    NEW = "Baru", _("Baru")
    ACCEPTED = "Diproses", _("Diproses penjual")
    READY = "Siap diambil", _("Siap diambil")
    SENT = "Dikirim", _("Dikirim")
    RECEIVED = "Selesai", _("Selesai")
    REJECTED = "Ditolak", _("Ditolak penjual")
    CANCELLED = "Dibatalkan", _("Dibatalkan pembeli")


class Party(models.TextChoices):
    SELLER = "penjual", _("Penjual")
    BUYER = "pembeli", _("Pembeli")
    SYSTEM = "sistem", _("Sistem")


# (from, to) -> who may make the move. Ready-for-pickup only follows a pickup
# order and sent only a delivered one (orders.services checks the order's
# shipping); nothing leaves Selesai, Ditolak or Dibatalkan.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (OrderStatus.NEW, OrderStatus.ACCEPTED): frozenset({Party.SELLER}),
    (OrderStatus.NEW, OrderStatus.REJECTED): frozenset({Party.SELLER}),
    # the system cancels a new official order when its requisition is withdrawn
    (OrderStatus.NEW, OrderStatus.CANCELLED): frozenset({Party.BUYER, Party.SYSTEM}),
    (OrderStatus.ACCEPTED, OrderStatus.READY): frozenset({Party.SELLER}),
    (OrderStatus.ACCEPTED, OrderStatus.SENT): frozenset({Party.SELLER}),
    (OrderStatus.ACCEPTED, OrderStatus.REJECTED): frozenset({Party.SELLER}),
    (OrderStatus.READY, OrderStatus.RECEIVED): frozenset({Party.BUYER, Party.SYSTEM}),
    (OrderStatus.SENT, OrderStatus.RECEIVED): frozenset({Party.BUYER, Party.SYSTEM}),
}

# A reason is asked for these moves and shown to the other side.
REASON_REQUIRED = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})
# An order that ends here sold nothing: its stock goes back, a card payment is refunded.
UNSOLD = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})
# The seller accepted it: from here on the order counts as a sale.
SOLD = frozenset({OrderStatus.ACCEPTED, OrderStatus.READY, OrderStatus.SENT, OrderStatus.RECEIVED})


def order_move_allowed(*, old: str, new: str, party: str) -> bool:
    """Whether ``party`` may move an order from ``old`` to ``new``: the one reading of TRANSITIONS."""
    return party in TRANSITIONS.get((old, new), ())


def oscar_pipeline() -> dict[str, tuple[str, ...]]:
    """OSCAR_ORDER_STATUS_PIPELINE from the table, so Oscar's dashboard agrees with it."""
    pipeline: dict[str, tuple[str, ...]] = {str(status): () for status in OrderStatus}
    for old, new in TRANSITIONS:
        pipeline[str(old)] += (str(new),)
    return pipeline
