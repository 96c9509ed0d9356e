"""Every row lock that two flows can both take, in one place and one order.

Two transactions that lock the same rows in different orders can deadlock.
Every path that locks more than one of these takes them in this order, and
rows of one kind in primary-key order:

    1. basket                    (personal placement, "Bayar", submitting a requisition)
    2. payment of the basket     (payments.selectors.payment_usable_for_basket(lock=True))
    3. orders already placed     (a status move, a requisition's cancellation, a payment confirmed)
    4. requisition               (requisition_lock: every approval decision, cancellation, release)
    5. sellers (partner rows)    (sellers_lock / sellers_lock_shared)
    6. stock records             (stock_records_lock)
    7. budget line, commitment   (procurement: the money is checked last, under its lock;
                                  agency_lock, budget_line_lock, budget_lines_lock,
                                  commitment_lock)
       document counter          (document_counter_lock: the next number of a document)
    8. people: memberships, delegations (membership_lock_or_create, memberships_lock,
                                  membership_lock, delegation_lock: never held with rows above)
    9. the audit chain's advisory lock (procurement.audit.audit_record, always last)

A budget import locks its agency's row (agency_lock) before the agency's
budget lines; a change of the agency's approval policy locks that row
alone. A commitment belongs to one requisition and is only locked under that
requisition's lock (step 4), so whether a path takes the commitment or its
budget line first, two of them never wait for each other across the two.

Why sellers before stock: a new order or stock upload row refers to its
seller, and PostgreSQL's foreign-key check takes a KEY SHARE lock on the
seller row when the insert runs. A final approval locks its sellers (to
check the official seller cap) and then the stock; a checkout that locked
the stock first and met the seller at its insert waited for the approval
while the approval waited for its stock: a deadlock. So a path that will
insert rows pointing at a seller takes the seller's KEY SHARE lock up front,
before the stock (sellers_lock_shared), and the approval locks sellers with
FOR NO KEY UPDATE (sellers_lock), which serialises approvals of one seller
without blocking a buyer's foreign-key check at all.

A document counter is taken in a transaction of its own (procurement.services.documents,
after the receipt or payment has committed), holding nothing above it: the PDF is drawn and
the document row written under it, so the number and its document commit together or not
at all, and numbers have no gaps. The document row's foreign keys (order, requisition,
receipt, payment) take KEY SHARE on those rows at the insert; no path that holds them
FOR UPDATE ever waits for a counter.

One known step back: a seller's rejection of an official order (order,
stock, then its requisition through orders.signals) locks its requisition
after the stock. It is safe because that requisition is already approved:
no approval locks it and then stock, and its cancellation locks its orders
first, so it waits at step 3 holding nothing.

A deadlock or serialization failure that still happens (the database's
word, not ours) is retried by peken.db.retry_on_conflict at the service
boundary, never shown to the person as an error.
"""

from collections.abc import Iterable

from django.apps import apps
from django.db import connection
from django.db.models import QuerySet
from oscar.core.loading import get_model

Basket = get_model("basket", "Basket")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")

# The procurement models are fetched inside the functions below (apps.get_model), so the
# marketplace apps that import this module never import procurement.


def basket_lock(*, basket_id: int):
    """Lock the basket row (step 1); returns it as stored now, or None if it is gone."""
    return Basket.objects.select_for_update(of=("self",)).filter(pk=basket_id).first()


def orders_lock(orders: QuerySet) -> list:
    """Lock these orders (step 3), in primary-key order; returns them."""
    return list(orders.select_for_update(of=("self",)).order_by("pk"))


def sellers_lock(*, seller_ids: Iterable[int]) -> list[int]:
    """Lock these sellers' rows FOR NO KEY UPDATE (step 5), in primary-key order.

    Two holders of this lock on one seller wait for each other; a foreign-key
    check (KEY SHARE) from a buyer's order on the same seller does not.
    """
    ids = sorted(set(seller_ids))
    if not ids:
        return []
    return list(
        Partner.objects.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def sellers_lock_shared(*, stockrecord_ids: Iterable[int] = (), seller_ids: Iterable[int] = ()) -> None:
    """Take FOR KEY SHARE on the sellers of these stock records (step 5) before the stock is locked.

    It is the lock the foreign-key check of an insert pointing at the seller
    would take later anyway; taking it first keeps the order of this module.
    Many checkouts hold it together; a shop's suspension (FOR UPDATE) waits
    for them, and they for it.
    """
    stock_ids, ids = sorted(set(stockrecord_ids)), sorted(set(seller_ids))
    if (not stock_ids and not ids) or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id FROM {Partner._meta.db_table} p WHERE p.id = ANY(%s) OR p.id IN "
            f"(SELECT s.partner_id FROM {StockRecord._meta.db_table} s WHERE s.id = ANY(%s)) "
            "ORDER BY p.id FOR KEY SHARE",
            [ids, stock_ids],
        )
        cursor.fetchall()


def stock_records_lock(records: QuerySet) -> list:
    """Lock these stock records (step 6) in primary-key order, not their joined rows; returns them."""
    return list(records.select_for_update(of=("self",)).order_by("pk"))


def requisition_lock(*, requisition_id: int):
    """Lock the requisition's row (step 4), not its agency's; returns it with its agency joined."""
    Requisition = apps.get_model("procurement", "Requisition")
    return Requisition.objects.select_for_update(of=("self",)).select_related("agency").get(pk=requisition_id)


def agency_lock(*, agency_id: int):
    """Lock the agency's row (step 7, before its budget lines); returns it."""
    Agency = apps.get_model("procurement", "Agency")
    return Agency.objects.select_for_update().get(pk=agency_id)


def budget_line_lock(*, budget_line_id: int):
    """Lock one budget line (step 7); returns it as stored now."""
    BudgetLine = apps.get_model("procurement", "BudgetLine")
    return BudgetLine.objects.select_for_update().get(pk=budget_line_id)


def budget_lines_lock(lines: QuerySet) -> list:
    """Lock these budget lines (step 7) in primary-key order; returns them."""
    return list(lines.select_for_update().order_by("pk"))


def commitment_lock(commitments: QuerySet):
    """Lock the first of these budget commitments in primary-key order (step 7); returns it, or None."""
    return commitments.select_for_update().order_by("pk").first()


def memberships_lock(memberships: QuerySet) -> list:
    """Lock these role memberships (step 8) in primary-key order; returns them."""
    return list(memberships.select_for_update().order_by("pk"))


def membership_lock(*, membership_id: int):
    """Lock one role membership (step 8); returns it with its person joined, or None if it is gone."""
    Membership = apps.get_model("procurement", "Membership")
    return Membership.objects.select_for_update().select_related("user").filter(pk=membership_id).first()


def membership_lock_or_create(*, defaults: dict, **lookup) -> tuple:
    """Lock the membership ``lookup`` finds (step 8), or create it; returns it and whether it is new."""
    Membership = apps.get_model("procurement", "Membership")
    return Membership.objects.select_for_update().get_or_create(defaults=defaults, **lookup)


def delegation_lock(*, delegation_id: int):
    """Lock one delegation (step 8); returns it as stored now."""
    Delegation = apps.get_model("procurement", "Delegation")
    return Delegation.objects.select_for_update().get(pk=delegation_id)


def document_counter_lock(*, agency_id: int, kind: str, year: int):
    """Lock the document counter of an agency, kind and year (step 7), creating it at 0 if new; returns it.

    Two first documents of a year at once both insert the row: ON CONFLICT DO NOTHING lets
    one insert win and the other find it, then both queue on its row lock.
    """
    DocumentCounter = apps.get_model("procurement", "DocumentCounter")
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(agency_id=agency_id, kind=kind, year=year, last=0)], ignore_conflicts=True
    )
    return DocumentCounter.objects.select_for_update().get(agency_id=agency_id, kind=kind, year=year)
