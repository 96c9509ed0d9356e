"""The treasurer's side of an official order: paying the seller, the taxes withheld, their deposit.

Once an order is complete (everything received or closed short), its agency's Bendahara
Pengeluaran pays what was accepted: by transfer or cash from the cash advance (UP/GU), through
the city treasury (LS, with its SP2D), or with the agency's government credit card (KKPD)
through Stripe (payments/, the only module that talks to it). The amounts are the tax engine's
(procurement/tax.py) on the payment date: the seller gets the net, each withheld or collected
tax is recorded with its Coretax object code, and the budget line realises the gross.

Two treasurers paying the same order at once pay it once: the order row is locked first and the
database allows one payment per order that is not cancelled. Locks follow peken/locks.py.
"""

import logging
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from orders.statuses import UNSOLD, OrderStatus
from payments import services as payments
from payments import tasks as payment_tasks
from payments.exceptions import PaymentGatewayError
from payments.models import PAID_STATUSES, Payment
from peken import locks
from peken.money import rupiah_format
from procurement import selectors_fulfilment as fulfilment
from procurement import tasks
from procurement.audit import audit_record
from procurement.models import (
    Agency,
    AuditEntry,
    BudgetCommitment,
    GoodsReceipt,
    OfficialPayment,
    TaxDeposit,
    TaxWithholding,
)
from procurement.services._common import ProcurementError, _locked
from procurement.services.budgets import _commitment_realise, _commitment_realise_check, _commitment_reduce
from procurement.statuses import (
    OFFICIAL_PAYMENT_TRANSITIONS,
    CommitmentStatus,
    OfficialPaymentStatus,
    PaymentMethod,
)
from procurement.tax import TaxKind

Order = get_model("order", "Order")
logger = logging.getLogger(__name__)


class PaymentRefused(ProcurementError):
    pass


class PaymentAlreadyRecorded(PaymentRefused):
    """The order already has a payment (paid, or a card payment waiting): ``payment``."""

    def __init__(self, message: str, payment: OfficialPayment):
        super().__init__(message)
        self.payment = payment


def _payment_move(payment: OfficialPayment, *, to: str) -> None:
    """The one place an official payment's status is set; refuses a move the table does not allow."""
    if to not in OFFICIAL_PAYMENT_TRANSITIONS[payment.status]:
        raise PaymentRefused(
            _("Pembayaran %(number)s berstatus %(status)s.")
            % {"number": payment.order.number, "status": payment.get_status_display()}
        )
    payment.status = to
    if to == OfficialPaymentStatus.PAID:
        payment.date_paid = timezone.now()
    payment.save(update_fields=["status", "date_paid"])


def _order_for_payment(*, order, actor):
    """Lock the order and its requisition; refuse who may not pay and an order not ready to pay."""
    (order,) = locks.orders_lock(Order.objects.filter(pk=order.pk).select_related("seller"))
    requisition = fulfilment.official_order_requisition(order)
    if requisition is None:
        raise PaymentRefused(_("Pesanan %(number)s bukan pesanan resmi OPD.") % {"number": order.number})
    requisition = _locked(requisition)
    refusal = fulfilment.pay_refusal(user=actor, requisition=requisition)
    if refusal:
        raise PaymentRefused(refusal)
    existing = fulfilment.order_payment(order=order)
    if existing is not None:
        who = existing.treasurer.get_full_name() or existing.treasurer.email
        if existing.status == OfficialPaymentStatus.PENDING:
            message = _(
                "Pesanan %(number)s sedang dibayar dengan KKPD oleh %(who)s; batalkan pembayaran "
                "kartu itu dulu untuk membayar dengan cara lain."
            )
        else:
            message = _("Pesanan %(number)s sudah dibayar oleh %(who)s (%(status)s).")
        raise PaymentAlreadyRecorded(
            message % {"number": order.number, "who": who, "status": existing.get_status_display()},
            existing,
        )
    progress = fulfilment.order_progress(order=order)
    if order.status != OrderStatus.RECEIVED or not fulfilment.order_receipt_complete(progress):
        raise PaymentRefused(
            _("Pesanan %(number)s belum selesai diterima: catat BAST atau tutup kekurangannya dulu.")
            % {"number": order.number}
        )
    return order, requisition, progress


def _payment_new(
    *, order, requisition, progress, actor, method: str, paid_on: date, **details
) -> OfficialPayment:
    """The payment row and its withholdings, from the tax engine on ``paid_on``."""
    quote = fulfilment.order_tax_quote(order=order, on=paid_on, progress=progress)
    if quote.price <= 0:
        raise PaymentRefused(_("Tidak ada barang yang diterima baik; tidak ada yang dibayar."))
    payment = OfficialPayment.objects.create(
        order=order,
        requisition=requisition,
        method=method,
        status=OfficialPaymentStatus.PENDING,
        price=quote.price,
        ppn=quote.ppn,
        ppn_collected=quote.ppn_collected,
        pbjt=quote.pbjt,
        gross=quote.total_invoice,
        withheld=quote.total_withheld_or_collected,
        net=quote.net_paid_to_seller,
        contract_document=quote.contract_document,
        meterai_required=quote.meterai_required,
        above_direct_purchase_limit=quote.above_direct_purchase_limit,
        split_purchase=quote.split,
        paid_on=paid_on,
        treasurer=actor,
        **details,
    )
    rows = [
        TaxWithholding(
            payment=payment,
            agency_id=requisition.agency_id,
            tax=w.tax,
            object_code=w.object_code,
            base=w.base,
            rate_percent=w.rate_percent,
            amount=w.amount,
        )
        for w in quote.withholdings
    ]
    if quote.ppn_collected:
        rows.append(
            TaxWithholding(
                payment=payment,
                agency_id=requisition.agency_id,
                tax=TaxKind.PPN,
                base=quote.ppn_base,
                rate_percent=quote.ppn_rate_percent,
                amount=quote.ppn,
            )
        )
    TaxWithholding.objects.bulk_create(rows)
    return payment


def _live_commitment(*, requisition) -> BudgetCommitment:
    """Lock the requisition's live commitment (step 7); PaymentRefused when none is held any more."""
    commitment = locks.commitment_lock(
        BudgetCommitment.objects.filter(requisition=requisition, status=CommitmentStatus.LIVE)
    )
    if commitment is None:
        raise PaymentRefused(
            _("Permintaan %(ref)s tidak punya anggaran terikat lagi.") % {"ref": requisition.reference}
        )
    return commitment


def _settle(*, payment: OfficialPayment, actor, ip: str | None, source: str) -> None:
    """Mark a locked payment paid, realise its gross on the budget line, record it, tell the seller."""
    commitment = _live_commitment(requisition=payment.requisition)
    before, after = _commitment_realise(commitment=commitment, gross=payment.gross)
    _payment_move(payment, to=OfficialPaymentStatus.PAID)
    audit_record(
        actor=actor,
        action="payment.record",
        obj=payment,
        after={
            "order": payment.order.number,
            "method": payment.method,
            "paid_on": payment.paid_on,
            "price": payment.price,
            "ppn": payment.ppn,
            "pbjt": payment.pbjt,
            "gross": payment.gross,
            "withheld": {w.tax: w.amount for w in payment.withholdings.all()},
            "net": payment.net,
            "bank_reference": payment.bank_reference,
            "sp2d_number": payment.sp2d_number,
            "source": source,
        },
        ip=ip,
        requisition=payment.requisition,
    )
    audit_record(
        actor=actor,
        action="budget.realise",
        obj=commitment,
        before=before,
        after=after | {"order": payment.order.number},
        ip=ip,
        requisition=payment.requisition,
    )
    commitment_close_if_done(requisition=payment.requisition, actor=actor, ip=ip)
    transaction.on_commit(
        lambda: tasks.official_documents_issue.delay(payment.order_id, getattr(actor, "pk", None))
    )
    transaction.on_commit(lambda: tasks.fulfilment_notify.delay(payment.order_id, "paid", payment.pk))


def commitment_close_if_done(*, requisition, actor, ip: str | None = None) -> Decimal:
    """Release what a requisition's commitment still holds once nothing of it is left to pay.

    Done means every seller order is paid, sold nothing (rejected or cancelled), or was received
    with nothing accepted. What may remain is the PPN or PBJT committed on goods that were
    turned away or never came, or a difference in rates since approval. Runs inside the caller's
    transaction, with the requisition locked; returns what was released (0 if not done).
    """
    commitment = locks.commitment_lock(
        BudgetCommitment.objects.filter(requisition=requisition, status=CommitmentStatus.LIVE)
    )
    if commitment is None:
        return Decimal(0)
    paid = set(
        OfficialPayment.objects.filter(
            requisition=requisition, status=OfficialPaymentStatus.PAID
        ).values_list("order_id", flat=True)
    )
    for order in Order.objects.filter(user__isnull=True, checkout_reference=requisition.reference):
        if order.pk in paid or order.status in UNSOLD:
            continue
        progress = fulfilment.order_progress(order=order)
        if order.status == OrderStatus.RECEIVED and not fulfilment.order_accepted_amount(progress):
            continue
        return Decimal(0)
    released, before, after = _commitment_reduce(commitment=commitment, amount=None)
    audit_record(
        actor=actor,
        action="budget.release.remainder",
        obj=commitment,
        before=before,
        after=after,
        ip=ip,
        requisition=requisition,
    )
    return released


def official_payment_record(
    *,
    order,
    actor,
    method: str,
    paid_on: date,
    bank_reference: str = "",
    sp2d_number: str = "",
    sp2d_date: date | None = None,
    ip: str | None = None,
) -> OfficialPayment:
    """Record the treasurer's payment of a complete official order by UP/GU (transfer or cash) or LS.

    A transfer needs its bank reference, LS its SP2D number and date; a card (KKPD) goes through
    official_payment_card_start. The date is neither in the future nor before the last handover
    (BAST). The seller is paid the tax engine's net of what was accepted,
    the budget line realises the gross. Only the agency's treasurer, never the requester, and
    once per order: a second payment (two treasurers at once) raises PaymentAlreadyRecorded.
    Raises PaymentRefused, BudgetExceeded.
    """
    bank_reference, sp2d_number = bank_reference.strip(), sp2d_number.strip()
    if method == PaymentMethod.KKPD:
        raise PaymentRefused(_("Pembayaran KKPD dilakukan dengan kartu."))
    if method not in PaymentMethod.values:
        raise PaymentRefused(_("Pilih cara bayar."))
    if method == PaymentMethod.UP_TRANSFER and not bank_reference:
        raise PaymentRefused(_("Isi nomor referensi transfer bank."))
    if method == PaymentMethod.LS and not (sp2d_number and sp2d_date):
        raise PaymentRefused(_("Isi nomor dan tanggal SP2D."))
    if paid_on > timezone.localdate():
        raise PaymentRefused(_("Tanggal bayar tidak boleh di masa depan."))
    with transaction.atomic():
        order, requisition, progress = _order_for_payment(order=order, actor=actor)
        # payment follows the handover (BAST): a payment dated before it is paid but not received
        last_received = GoodsReceipt.objects.filter(order=order).aggregate(last=Max("received_on"))["last"]
        if last_received and paid_on < last_received:
            raise PaymentRefused(
                _("Tanggal bayar %(paid)s sebelum barang terakhir diterima (%(received)s).")
                % {"paid": date_format(paid_on, "j F Y"), "received": date_format(last_received, "j F Y")}
            )
        payment = _payment_new(
            order=order,
            requisition=requisition,
            progress=progress,
            actor=actor,
            method=method,
            paid_on=paid_on,
            # each method keeps only its own proof: a transfer's reference, LS's SP2D
            bank_reference=bank_reference if method != PaymentMethod.LS else "",
            sp2d_number=sp2d_number if method == PaymentMethod.LS else "",
            sp2d_date=sp2d_date if method == PaymentMethod.LS else None,
        )
        _settle(payment=payment, actor=actor, ip=ip, source=method)
    return payment


def official_payment_card_start(*, order, actor, ip: str | None = None) -> OfficialPayment:
    """Begin paying a complete official order with the agency's KKPD card: the net, through Stripe.

    Creates (or, for the same order's waiting card payment, returns) the payment and its
    Stripe intent; the returned payment carries ``.intent`` for Stripe.js. It is settled by
    official_payment_card_confirm or Stripe's webhook, whichever comes first. Same refusals as
    official_payment_record, BudgetExceeded before the card is charged, PaymentRefused above the
    card's limit per payee (PEKEN_KKPD_MAX_PER_PAYEE); PaymentGatewayError when Stripe cannot be
    reached.
    """
    try:
        with transaction.atomic():
            order, requisition, progress = _order_for_payment(order=order, actor=actor)
            payment = _payment_new(
                order=order,
                requisition=requisition,
                progress=progress,
                actor=actor,
                method=PaymentMethod.KKPD,
                paid_on=timezone.localdate(),
            )
            if payment.gross > settings.PEKEN_KKPD_MAX_PER_PAYEE:
                raise PaymentRefused(
                    _(
                        "KKPD membayar paling banyak %(max)s per penerima (Permendagri 79/2022); "
                        "bayar lewat UP/GU atau LS."
                    )
                    % {"max": rupiah_format(settings.PEKEN_KKPD_MAX_PER_PAYEE)}
                )
            # the card must not be charged for what the budget line cannot realise
            commitment = _live_commitment(requisition=requisition)
            _commitment_realise_check(
                commitment=commitment,
                line=locks.budget_line_lock(budget_line_id=commitment.budget_line_id),
                gross=payment.gross,
            )
            audit_record(
                actor=actor,
                action="payment.card_start",
                obj=payment,
                after={"order": order.number, "net": payment.net, "gross": payment.gross},
                ip=ip,
                requisition=requisition,
            )
    except PaymentAlreadyRecorded as already:
        payment = already.payment
        if payment.status != OfficialPaymentStatus.PENDING or payment.method != PaymentMethod.KKPD:
            raise
    # the network call, outside the transaction
    card = payments.card_payment_start(
        user=actor,
        amount=payment.net,
        key=f"kkpd-{payment.pk}",
        metadata={"order": payment.order.number, "kind": "kkpd"},
    )
    OfficialPayment.objects.filter(pk=payment.pk, card_payment__isnull=True).update(card_payment=card)
    payment.refresh_from_db()
    payment.intent = card.intent
    if card.status in PAID_STATUSES:
        payment = official_payment_card_settle(card_payment_id=card.pk, actor=actor, source="card")
        payment.intent = card.intent
    return payment


def official_payment_card_settle(*, card_payment_id: int, actor, source: str) -> OfficialPayment | None:
    """A KKPD card payment Stripe reports paid: settle its official payment (once; None if not ours)."""
    with transaction.atomic():
        payment = (
            OfficialPayment.objects.filter(card_payment_id=card_payment_id).select_related("order").first()
        )
        if payment is None:
            return None
        locks.orders_lock(Order.objects.filter(pk=payment.order_id))
        _locked(payment.requisition)
        payment = (
            OfficialPayment.objects.select_for_update()
            .select_related("order", "requisition")
            .get(pk=payment.pk)
        )
        if payment.status == OfficialPaymentStatus.PENDING:
            _settle(payment=payment, actor=actor or payment.treasurer, ip=None, source=source)
        elif payment.status == OfficialPaymentStatus.CANCELLED:
            _card_refund_after_cancel(payment=payment, actor=actor, source=source)
    return payment


def _card_refund_after_cancel(*, payment: OfficialPayment, actor, source: str) -> None:
    """A card charged after its payment was cancelled (the order may be paid another way): give it back.

    Once per payment: the refund's idempotency key names it, so a second report refunds nothing more.
    """
    card = Payment.objects.get(pk=payment.card_payment_id)
    if card.status not in PAID_STATUSES or card.amount_refunded >= card.amount:
        return
    # the payment row is locked: a second report (webhook and confirm) finds the first one's entry
    if AuditEntry.objects.filter(action="payment.card_refund", object_id=str(payment.pk)).exists():
        return
    audit_record(
        actor=actor,
        action="payment.card_refund",
        obj=payment,
        after={"order": payment.order.number, "amount": card.amount, "source": source},
        requisition=payment.requisition,
    )
    reason = _("Kartu KKPD ditagih setelah pembayaran %(number)s dibatalkan.") % {
        "number": payment.order.number
    }
    transaction.on_commit(
        lambda: payment_tasks.payment_refund_task.delay(
            card.reference,
            str(card.amount),
            f"kkpd-cancelled-{payment.pk}",
            getattr(actor, "pk", None),
            reason,
        )
    )


def official_payment_card_confirm(*, payment: OfficialPayment, actor) -> OfficialPayment:
    """After Stripe.js confirmed the card: ask Stripe and settle the payment if it went through.

    Raises PaymentRefused when the card payment has not succeeded (yet).
    """
    if payment.card_payment_id is None:
        raise PaymentRefused(_("Pembayaran kartu belum dimulai."))
    try:
        card = payments.card_payment_check(payment_id=payment.card_payment_id, user=actor)
    except PaymentGatewayError as error:
        raise PaymentRefused(error.message) from error
    if card.status not in PAID_STATUSES:
        raise PaymentRefused(_("Pembayaran kartu belum berhasil. Isi data kartu lalu tekan Bayar."))
    return official_payment_card_settle(card_payment_id=card.pk, actor=actor, source="card")


def official_payment_card_cancel(
    *, payment: OfficialPayment, actor, ip: str | None = None
) -> OfficialPayment:
    """Give up a KKPD payment still waiting for the card, so the order can be paid another way.

    Stripe is asked first (its webhook may be late): a card already charged settles the payment
    instead, and the cancellation is refused, so the seller is never paid twice. A card charged
    after the cancellation is refunded (official_payment_card_settle). Only the agency's
    treasurer, never the requester. Raises PaymentRefused.
    """
    if payment.card_payment_id:
        try:
            # the network call, outside the transaction; a paid card settles through payment_succeeded
            payments.card_payment_check(payment_id=payment.card_payment_id, user=actor)
        except PaymentGatewayError as error:
            raise PaymentRefused(error.message) from error
    with transaction.atomic():
        (order,) = locks.orders_lock(Order.objects.filter(pk=payment.order_id))
        requisition = _locked(payment.requisition)
        refusal = fulfilment.pay_refusal(user=actor, requisition=requisition)
        if refusal:
            raise PaymentRefused(refusal)
        payment = OfficialPayment.objects.select_for_update().select_related("order").get(pk=payment.pk)
        if payment.card_payment_id:
            card = Payment.objects.get(pk=payment.card_payment_id)
            if card.status in PAID_STATUSES:
                raise PaymentRefused(_("Kartu sudah ditagih; pembayaran ini tidak bisa dibatalkan."))
        _payment_move(payment, to=OfficialPaymentStatus.CANCELLED)
        audit_record(
            actor=actor,
            action="payment.card_cancel",
            obj=payment,
            after={"order": order.number},
            ip=ip,
            requisition=requisition,
        )
    return payment


def card_payment_succeeded(sender, *, payment, **kwargs) -> None:
    """payments.signals.payment_succeeded: a KKPD card payment is settled here (connected in apps.py).

    A payment the budget can no longer settle (the line's money changed since the card was
    started) stays waiting and is logged: the card's success is still recorded, so Stripe's event
    is not refused again and again; the treasurer settles it with official_payment_card_confirm,
    which shows why, once the line has room.
    """
    if payment.basket_id is None and (payment.purpose or "").startswith("kkpd-"):
        try:
            official_payment_card_settle(card_payment_id=payment.pk, actor=None, source="stripe")
        except ProcurementError:
            logger.exception("KKPD card payment %s paid but not settled", payment.reference)


def tax_deposit_record(
    *,
    agency: Agency,
    actor,
    tax: str,
    period_year: int,
    period_month: int,
    billing_code: str,
    ntpn: str,
    deposited_on: date,
    withholding_ids: list[int],
    ip: str | None = None,
) -> TaxDeposit:
    """Record one deposit of a month's withheld or collected tax of one kind, with its billing code and NTPN.

    The withholdings named must be the agency's, of that tax and month (of payment), and not yet
    deposited; their sum is the deposit. Only the agency's treasurer. The billing code has 15
    digits and the NTPN 16 letters or digits (each NTPN once); the date is not in the future.
    Raises PaymentRefused.
    """
    billing_code, ntpn = billing_code.strip(), ntpn.strip().upper()
    if not (billing_code.isdigit() and len(billing_code) == 15):
        raise PaymentRefused(_("Kode billing terdiri dari 15 angka."))
    if not (ntpn.isalnum() and len(ntpn) == 16):
        raise PaymentRefused(_("NTPN terdiri dari 16 huruf atau angka."))
    if not withholding_ids:
        raise PaymentRefused(_("Pilih pajak yang disetor."))
    if deposited_on > timezone.localdate():
        raise PaymentRefused(_("Tanggal setor tidak boleh di masa depan."))
    with transaction.atomic():
        locks.agency_lock(agency_id=agency.pk)
        if (
            not fulfilment.agencies_where(user=actor, roles=fulfilment.PAYER_ROLES)
            .filter(agency_id=agency.pk)
            .exists()
        ):
            raise PaymentRefused(
                _("Setoran pajak dicatat oleh bendahara pengeluaran %(agency)s.") % {"agency": agency}
            )
        if TaxDeposit.objects.filter(ntpn=ntpn).exists():
            raise PaymentRefused(_("NTPN %(ntpn)s sudah tercatat.") % {"ntpn": ntpn})
        rows = TaxWithholding.objects.select_for_update().filter(
            pk__in=withholding_ids,
            agency=agency,
            tax=tax,
            deposit__isnull=True,
            payment__status=OfficialPaymentStatus.PAID,
            payment__paid_on__year=period_year,
            payment__paid_on__month=period_month,
        )
        rows = list(rows.order_by("pk"))
        if len(rows) != len(set(withholding_ids)):
            raise PaymentRefused(
                _(
                    "Sebagian pajak yang dipilih sudah disetor atau bukan dari masa dan jenis ini; "
                    "muat ulang halaman."
                )
            )
        amount = sum((w.amount for w in rows), Decimal(0))
        if amount <= 0:
            raise PaymentRefused(_("Jumlah pajak yang dipilih nol; tidak ada yang disetor."))
        deposit = TaxDeposit.objects.create(
            agency=agency,
            tax=tax,
            period_year=period_year,
            period_month=period_month,
            billing_code=billing_code,
            ntpn=ntpn,
            deposited_on=deposited_on,
            amount=amount,
            actor=actor,
        )
        TaxWithholding.objects.filter(pk__in=[w.pk for w in rows]).update(deposit=deposit)
        audit_record(
            actor=actor,
            action="tax.deposit",
            obj=deposit,
            after={
                "tax": tax,
                "period": f"{period_year}-{period_month:02d}",
                "billing_code": billing_code,
                "ntpn": ntpn,
                "amount": amount,
                "withholdings": [w.pk for w in rows],
            },
            ip=ip,
        )
    return deposit
