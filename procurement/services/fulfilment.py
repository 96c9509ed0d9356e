"""What arrived of an official order: handover records (BAST), partial or whole, and short closure.

The agency's PPK or "penerima barang" records each delivery, never the purchase's requester
(procurement.selectors_fulfilment.receive_refusal). What they reject, and what never comes when
the order is closed short, gives its share of the commitment back to the budget line. Once
nothing more is awaited the order is complete (Selesai) and waits for the treasurer.

Locks follow peken/locks.py: the order (3), its requisition (4), then the commitment and its
budget line (7); the audit entry last.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from orders.services import OrderStatusError, order_status_change
from orders.statuses import OrderStatus, Party
from peken import locks
from procurement import selectors_fulfilment as fulfilment
from procurement import tasks
from procurement.audit import audit_record
from procurement.models import (
    BudgetCommitment,
    GoodsReceipt,
    GoodsReceiptLine,
    OrderShortClosure,
    Requisition,
)
from procurement.services._common import ProcurementError, _locked
from procurement.services.budgets import _commitment_reduce
from procurement.services.treasury import commitment_close_if_done
from procurement.statuses import CommitmentStatus, Role

Order = get_model("order", "Order")


class ReceiptRefused(ProcurementError):
    pass


@dataclass(frozen=True)
class ReceivedLine:
    """What the receiver counted of one order line in one delivery."""

    received: int
    accepted: int
    reason: str = ""


def _official_order_locked(order) -> tuple:
    """Lock the order, then its requisition (peken/locks.py steps 3 and 4); refuse a personal order."""
    (order,) = locks.orders_lock(Order.objects.filter(pk=order.pk).select_related("seller"))
    requisition = fulfilment.official_order_requisition(order)
    if requisition is None:
        raise ReceiptRefused(_("Pesanan %(number)s bukan pesanan resmi OPD.") % {"number": order.number})
    return order, _locked(requisition)


def _release(*, requisition: Requisition, amount: Decimal, actor, action: str, details: dict, ip) -> Decimal:
    """Give ``amount`` of the requisition's live commitment back to its line, recorded; 0 if none is held."""
    if amount <= 0:
        return Decimal(0)
    commitment = locks.commitment_lock(
        BudgetCommitment.objects.filter(requisition=requisition, status=CommitmentStatus.LIVE)
    )
    if commitment is None:
        return Decimal(0)
    released, before, after = _commitment_reduce(commitment=commitment, amount=amount)
    audit_record(
        actor=actor,
        action=action,
        obj=commitment,
        before=before,
        after=after | details,
        ip=ip,
        requisition=requisition,
    )
    return released


def _complete_if_done(*, order, actor) -> bool:
    """Move an order whose every line is received or closed short to Selesai (as the system)."""
    if not fulfilment.order_receipt_complete(fulfilment.order_progress(order=order)):
        return False
    try:
        order_status_change(
            order=order,
            actor=actor,
            party=Party.SYSTEM,
            status=OrderStatus.RECEIVED,
            reason=_("Semua barang diterima atau ditutup kurang (BAST)."),
        )
    except OrderStatusError as error:
        raise ReceiptRefused(str(error)) from error
    return True


def goods_receipt_record(
    *,
    order,
    actor,
    received_on: date,
    lines: dict[int, ReceivedLine],
    note: str = "",
    ip: str | None = None,
) -> GoodsReceipt:
    """Record one delivery of an official order as its next numbered handover (BAST).

    ``lines`` maps order line ids to what arrived; lines left out or at zero did not come this
    time; the day it arrived is not in the future. Each line may receive at most what is still
    awaited, accept at most what it received, and a rejected quantity needs a reason; its value
    is released from the commitment at once. The order must be marked sent by its seller; the
    recorder must be the agency's PPK or receiver and not the requester. When nothing more is
    awaited the order becomes Selesai. The seller, the requester and the treasurer are told
    after commit. Raises ReceiptRefused with a message for the person acting.
    """
    note = note.strip()
    if received_on > timezone.localdate():
        raise ReceiptRefused(_("Tanggal diterima tidak boleh di masa depan."))
    with transaction.atomic():
        order, requisition = _official_order_locked(order)
        refusal = fulfilment.receive_refusal(user=actor, requisition=requisition)
        if refusal:
            raise ReceiptRefused(refusal)
        if order.status not in fulfilment.RECEIVABLE:
            raise ReceiptRefused(
                _("Pesanan %(number)s berstatus %(status)s: penerimaan dicatat setelah penjual mengirim.")
                % {"number": order.number, "status": order.status_label}
            )
        progress = {p.line.pk: p for p in fulfilment.order_progress(order=order)}
        unknown = set(lines) - set(progress)
        if unknown:
            raise ReceiptRefused(
                _("Sebagian baris bukan milik pesanan %(number)s.") % {"number": order.number}
            )
        counted = {pk: line for pk, line in lines.items() if line.received or line.accepted}
        if not counted:
            raise ReceiptRefused(_("Isi jumlah yang diterima untuk sedikitnya satu barang."))
        for pk, line in counted.items():
            p, title = progress[pk], progress[pk].line.title
            if line.received < 0 or line.accepted < 0:
                raise ReceiptRefused(_("%(title)s: jumlah tidak boleh negatif.") % {"title": title})
            if line.received > p.outstanding:
                raise ReceiptRefused(
                    _("%(title)s: diterima %(received)d, padahal yang belum diterima tinggal %(left)d.")
                    % {"title": title, "received": line.received, "left": p.outstanding}
                )
            if line.accepted > line.received:
                raise ReceiptRefused(
                    _("%(title)s: yang diterima baik (%(accepted)d) melebihi yang datang (%(received)d).")
                    % {"title": title, "accepted": line.accepted, "received": line.received}
                )
            if line.accepted < line.received and not line.reason.strip():
                raise ReceiptRefused(
                    _("%(title)s: tuliskan alasan %(count)d ditolak.")
                    % {"title": title, "count": line.received - line.accepted}
                )
        seq = (GoodsReceipt.objects.filter(order=order).aggregate(last=Max("seq"))["last"] or 0) + 1
        role = (
            Role.COMMITMENT_OFFICIAL
            if requisition.agency.memberships.filter(user=actor, role=Role.COMMITMENT_OFFICIAL).exists()
            else Role.RECEIVER
        )
        receipt = GoodsReceipt.objects.create(
            order=order,
            requisition=requisition,
            seq=seq,
            received_on=received_on,
            received_by=actor,
            role=role,
            note=note,
        )
        GoodsReceiptLine.objects.bulk_create(
            GoodsReceiptLine(
                receipt=receipt,
                order_line_id=pk,
                quantity_received=line.received,
                quantity_accepted=line.accepted,
                rejection_reason=line.reason.strip() if line.accepted < line.received else "",
            )
            for pk, line in sorted(counted.items())
        )
        rejected = sum(
            (progress[pk].unit_price * (line.received - line.accepted) for pk, line in counted.items()),
            Decimal(0),
        )
        audit_record(
            actor=actor,
            action="receipt.record",
            obj=receipt,
            after={
                "order": order.number,
                "seq": seq,
                "received_on": received_on,
                "lines": {
                    progress[pk].line.title: {"received": line.received, "accepted": line.accepted}
                    for pk, line in sorted(counted.items())
                },
                "rejected_value": rejected,
                "note": note,
            },
            ip=ip,
            requisition=requisition,
        )
        _release(
            requisition=requisition,
            amount=rejected,
            actor=actor,
            action="budget.release.rejected",
            details={"order": order.number, "receipt": seq},
            ip=ip,
        )
        complete = _complete_if_done(order=order, actor=actor)
        commitment_close_if_done(requisition=requisition, actor=actor, ip=ip)
        transaction.on_commit(lambda: tasks.official_documents_issue.delay(order.pk, actor.pk))
        transaction.on_commit(
            lambda: tasks.fulfilment_notify.delay(
                order.pk, "complete" if complete else "received", receipt.pk
            )
        )
    return receipt


def order_close_short(*, order, actor, reason: str, ip: str | None = None) -> OrderShortClosure:
    """Close an official order as short-delivered: nothing more is awaited, what never came is released.

    Allowed to whoever may record its receipt, on an order the seller has sent, with a reason.
    The value of every quantity still awaited leaves the commitment; the order becomes Selesai
    and the treasurer pays what was accepted. Closing twice is refused. Raises ReceiptRefused.
    """
    reason = reason.strip()
    if not reason:
        raise ReceiptRefused(_("Tuliskan alasan menutup pesanan dengan kekurangan."))
    with transaction.atomic():
        order, requisition = _official_order_locked(order)
        refusal = fulfilment.receive_refusal(user=actor, requisition=requisition)
        if refusal:
            raise ReceiptRefused(refusal)
        if OrderShortClosure.objects.filter(order=order).exists():
            raise ReceiptRefused(_("Pesanan %(number)s sudah ditutup.") % {"number": order.number})
        if order.status not in fulfilment.RECEIVABLE:
            raise ReceiptRefused(
                _("Pesanan %(number)s berstatus %(status)s dan tidak bisa ditutup kurang.")
                % {"number": order.number, "status": order.status_label}
            )
        progress = fulfilment.order_progress(order=order)
        missing = sum((p.unit_price * p.outstanding for p in progress), Decimal(0))
        if missing <= 0:
            raise ReceiptRefused(_("Tidak ada barang yang masih ditunggu."))
        closure = OrderShortClosure.objects.create(
            order=order, requisition=requisition, reason=reason, amount_released=missing, actor=actor
        )
        audit_record(
            actor=actor,
            action="receipt.close_short",
            obj=closure,
            after={
                "order": order.number,
                "never_delivered": {p.line.title: p.outstanding for p in progress if p.outstanding},
                "value": missing,
                "reason": reason,
            },
            ip=ip,
            requisition=requisition,
        )
        _release(
            requisition=requisition,
            amount=missing,
            actor=actor,
            action="budget.release.short",
            details={"order": order.number, "reason": reason},
            ip=ip,
        )
        _complete_if_done(order=order, actor=actor)
        commitment_close_if_done(requisition=requisition, actor=actor, ip=ip)
        transaction.on_commit(lambda: tasks.fulfilment_notify.delay(order.pk, "closed_short", None))
    return closure
