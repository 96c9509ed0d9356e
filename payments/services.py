"""Writes of card payments: intents for baskets, confirmation at order placement,
webhook events, refunds.

Stripe is called through payments.gateway, outside database transactions (the one
exception is documented in payment_for_basket_confirm). Every status move goes
through _payment_move, which checks PAYMENT_TRANSITIONS and records who or what
made it.

Payments stand below orders: orders refund through this module, and this
module never imports orders. A card payment Stripe reports paid is announced
with payments.signals.payment_succeeded, which the orders app listens to.
Tasks and services import each other as modules (``tasks.payment_refund_task``),
so either may be imported first.
"""

import logging
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.payment.exceptions import UnableToTakePayment
from oscar.core.loading import get_model

from payments import gateway, selectors, tasks
from payments.exceptions import PaymentGatewayError
from payments.models import (
    OPEN_STATUSES,
    PAID_STATUSES,
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
    Payment,
    PaymentStatus,
    PaymentStatusChange,
    Refund,
    RefundStatus,
    StripeEvent,
)
from payments.money import minor_to_rupiah, rupiah_to_minor
from payments.signals import payment_succeeded
from peken import locks
from peken.money import rupiah_format

logger = logging.getLogger(__name__)

# No 0/O or 1/I/L: the buyer may read the reference out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# Intent statuses in which the money is taken (processing: taken, confirmation pending).
PAID_INTENT_STATUSES = (gateway.IntentStatus.SUCCEEDED, gateway.IntentStatus.PROCESSING)
# Refund states in which the money is on its way back.
REFUND_WENT_THROUGH = (gateway.RefundOutcome.SUCCEEDED, gateway.RefundOutcome.PENDING)


class PaymentNotCompleted(UnableToTakePayment):
    """The basket's card payment is missing, unfinished or for another amount; no order may be placed."""


class RefundRefused(Exception):
    """A refund that would exceed what was paid, for an unpaid or unknown payment, or a reused key."""


class UnknownPaymentEvent(Exception):
    """A webhook event about an intent Peken did not create."""


class PaymentTransitionRefused(Exception):
    """A status move not in PAYMENT_TRANSITIONS or REFUND_TRANSITIONS."""


def _reference_new() -> str:
    return "PKN-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _payment_move(payment: Payment, *, to: str, actor, source: str) -> bool:
    """Move a locked payment to `to` and record it; False if it is already there.

    Raises PaymentTransitionRefused for a move the table does not allow.
    """
    if payment.status == to:
        return False
    if to not in PAYMENT_TRANSITIONS[payment.status]:
        raise PaymentTransitionRefused(f"{payment.reference}: {payment.status} -> {to}")
    PaymentStatusChange.objects.create(
        payment=payment, old_status=payment.status, new_status=to, actor=actor, source=source[:100]
    )
    payment.status = to
    payment.save(update_fields=["status", "updated_at"])
    return True


def _refund_move(refund: Refund, *, to: str, error: str = "") -> None:
    """Move a locked refund to `to` (a pending one asked again stays pending) and save it.

    Raises PaymentTransitionRefused for a move REFUND_TRANSITIONS does not allow.
    """
    if refund.status != to and to not in REFUND_TRANSITIONS[refund.status]:
        raise PaymentTransitionRefused(f"refund {refund.pk}: {refund.status} -> {to}")
    refund.status, refund.error = to, error[:255]
    refund.save(update_fields=["status", "error", "stripe_refund_id", "updated_at"])


def _payment_sync_paid(*, payment_id: int, intent: gateway.Intent, actor, source: str) -> Payment:
    """Record that Stripe says the intent succeeded (locks the row itself)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if (
            intent.status == gateway.IntentStatus.SUCCEEDED
            and PaymentStatus.SUCCEEDED in PAYMENT_TRANSITIONS[payment.status]
        ):
            payment.amount = minor_to_rupiah(intent.amount)
            payment.save(update_fields=["amount", "updated_at"])
            _payment_move(payment, to=PaymentStatus.SUCCEEDED, actor=actor, source=source)
        return payment


def _refund_queue_full(payment: Payment, *, actor, reason: str) -> None:
    transaction.on_commit(
        lambda: tasks.payment_refund_task.delay(
            payment.reference,
            str(payment.amount),
            f"basket-changed-{payment.reference}",
            getattr(actor, "pk", None),
            reason,
        )
    )


def payment_intent_for_basket(*, basket, user, amount: Decimal) -> Payment:
    """The basket's card payment for `amount`, with a Stripe PaymentIntent ready to confirm.

    Reuses the basket's open payment (updating its intent's amount if the total
    changed) or creates one; a basket has at most one open payment, and
    simultaneous requests for one basket all get the same one. A payment
    already made for this basket and this amount is returned as it is (the browser
    then places the order without charging again); one made for another amount
    (the basket changed after paying) is refunded in full and a new one begins.
    The returned payment carries `.intent` (gateway.Intent, with the client secret
    for Stripe.js). Raises PaymentNotCompleted for a total of Rp0 and
    PaymentGatewayError when Stripe refuses or cannot be reached.
    """
    minor = rupiah_to_minor(amount)
    if minor == 0:
        raise PaymentNotCompleted(_("Tidak ada yang perlu dibayar dengan kartu untuk pesanan ini."))
    stale = None
    with transaction.atomic():
        # Simultaneous "Bayar" clicks queue on the basket's row (peken/locks.py): the first makes
        # the payment, the others find it, so none trips the one-open-payment-per-basket constraint.
        locks.basket_lock(basket_id=basket.pk)
        payment = selectors.payment_usable_for_basket(basket=basket, lock=True)
        if payment is not None and payment.status == PaymentStatus.SUCCEEDED and payment.amount != amount:
            stale, payment = payment, None
        if payment is None:
            payment = Payment.objects.create(
                reference=_reference_new(), basket=basket, user=user, amount=amount, currency="IDR"
            )
    if stale is not None:
        _refund_queue_full(stale, actor=user, reason=_("Keranjang berubah setelah dibayar"))

    # The network calls, outside the transaction.
    if payment.intent_id is None:
        intent = gateway.intent_create(
            amount_minor=minor,
            reference=payment.reference,
            idempotency_key=f"peken-intent-{payment.reference}",
            metadata={"basket": str(basket.pk)},
        )
        Payment.objects.filter(pk=payment.pk, intent_id__isnull=True).update(intent_id=intent.id)
        payment.refresh_from_db()
        if payment.intent_id != intent.id:  # a parallel request got there first
            intent = gateway.intent_retrieve(intent_id=payment.intent_id)
    else:
        intent = gateway.intent_retrieve(intent_id=payment.intent_id)
        if (
            intent.status
            in (gateway.IntentStatus.REQUIRES_PAYMENT_METHOD, gateway.IntentStatus.REQUIRES_CONFIRMATION)
            and intent.amount != minor
        ):
            intent = gateway.intent_update_amount(intent_id=intent.id, amount_minor=minor)
            Payment.objects.filter(pk=payment.pk).update(amount=amount, updated_at=timezone.now())
            payment.amount = amount
        elif intent.status == gateway.IntentStatus.SUCCEEDED:
            payment = _payment_sync_paid(payment_id=payment.pk, intent=intent, actor=user, source="checkout")
            if intent.amount != minor:
                return payment_intent_for_basket(basket=basket, user=user, amount=amount)
        elif intent.status == gateway.IntentStatus.CANCELED:
            with transaction.atomic():
                locked = Payment.objects.select_for_update().get(pk=payment.pk)
                _payment_move(locked, to=PaymentStatus.CANCELED, actor=user, source="checkout")
            return payment_intent_for_basket(basket=basket, user=user, amount=amount)
    payment.intent = intent
    return payment


def payment_for_basket_confirm(*, basket, user, amount: Decimal) -> Payment:
    """The basket's card payment, proven paid for exactly `amount`; called when the order is placed.

    Locks the payment row and asks Stripe for the intent. This is the one network
    call made inside a transaction, on purpose: the order is about to be placed on
    the strength of this payment, the webhook may not have arrived yet, and Stripe's
    record is the only proof that the money was taken. It is a read with no effect
    at Stripe, and the lock is on this one basket's payment, so no other buyer waits.

    Returns the payment when the intent has succeeded (or is processing) for
    rupiah_to_minor(amount). Raises PaymentNotCompleted otherwise; if the intent
    succeeded for another amount (the basket changed in another tab), the payment
    is also refunded in full.
    """
    minor = rupiah_to_minor(amount)
    mismatch = None
    with transaction.atomic():
        payment = selectors.payment_usable_for_basket(basket=basket, lock=True)
        if payment is None or payment.intent_id is None:
            raise PaymentNotCompleted(_("Pembayaran kartu belum dilakukan. Isi data kartu lalu tekan Bayar."))
        try:
            intent = gateway.intent_retrieve(intent_id=payment.intent_id)
        except PaymentGatewayError as error:
            raise PaymentNotCompleted(error.message) from error
        if intent.status not in PAID_INTENT_STATUSES:
            raise PaymentNotCompleted(
                _(
                    "Pembayaran kartu belum berhasil. Isi data kartu lalu tekan Bayar, "
                    "atau pilih bayar di tempat."
                )
            )
        if (
            intent.status == gateway.IntentStatus.SUCCEEDED
            and PaymentStatus.SUCCEEDED in PAYMENT_TRANSITIONS[payment.status]
        ):
            _payment_move(payment, to=PaymentStatus.SUCCEEDED, actor=user, source="checkout")
        if any(selectors.refund_totals(payment=payment)):
            # the unplaced-payment sweep (or a failed placement) is giving this money back
            raise PaymentNotCompleted(_("Pembayaran ini sedang dikembalikan ke kartu Anda. Bayar lagi."))
        if intent.amount != minor or intent.currency.lower() != gateway.CURRENCY:
            mismatch = payment
        else:
            return payment
    # Queued now rather than on commit: the order transaction around this call is
    # about to roll back, and the money must go back all the same. The refund
    # service re-checks the payment with Stripe, so it does not need this commit.
    try:
        tasks.payment_refund_task.delay(
            mismatch.reference,
            str(minor_to_rupiah(intent.amount)),
            f"basket-changed-{mismatch.reference}",
            getattr(user, "pk", None),
            _("Keranjang berubah setelah dibayar"),
        )
    except (PaymentGatewayError, RefundRefused):  # eager Celery in development; the task retries itself
        logger.exception("Refund of %s could not be queued", mismatch.reference)
    raise PaymentNotCompleted(
        _(
            "Isi keranjang berubah setelah dibayar (%(paid)s dibayar, total sekarang %(total)s). "
            "Pembayaran dikembalikan ke kartu; silakan bayar lagi."
        )
        % {"paid": rupiah_format(minor_to_rupiah(intent.amount)), "total": rupiah_format(amount)}
    )


def card_payment_start(*, user, amount: Decimal, key: str, metadata: dict) -> Payment:
    """A card payment not tied to a basket (an agency's KKPD card paying a seller), with its intent.

    ``key`` names what is paid (one payment per key: the same key returns the same payment and
    intent, so a second click charges nothing more). The returned payment carries ``.intent``
    with the client secret for Stripe.js. Raises PaymentNotCompleted for Rp0 and
    PaymentGatewayError when Stripe refuses or cannot be reached.
    """
    minor = rupiah_to_minor(amount)
    if minor == 0:
        raise PaymentNotCompleted(_("Tidak ada yang perlu dibayar dengan kartu."))
    idempotency_key = f"peken-intent-{key}"
    payment = Payment.objects.filter(purpose=key).first()
    if payment is None:
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    reference=_reference_new(), purpose=key, user=user, amount=amount, currency="IDR"
                )
        except IntegrityError:
            payment = Payment.objects.get(purpose=key)
    if payment.intent_id is None:
        intent = gateway.intent_create(
            amount_minor=minor,
            reference=payment.reference,
            idempotency_key=idempotency_key,
            metadata=metadata,
        )
        Payment.objects.filter(pk=payment.pk, intent_id__isnull=True).update(intent_id=intent.id)
        payment.refresh_from_db()
    intent = gateway.intent_retrieve(intent_id=payment.intent_id)
    if intent.status == gateway.IntentStatus.SUCCEEDED:
        payment = _payment_sync_paid(payment_id=payment.pk, intent=intent, actor=user, source="card")
    payment.intent = intent
    return payment


def card_payment_check(*, payment_id: int, user) -> Payment:
    """Ask Stripe whether a basket-less card payment succeeded and record it; the payment as it stands.

    Announces payment_succeeded (in this transaction) the first time it is seen paid, like the
    webhook does, so whichever comes first settles what was paid. Raises PaymentGatewayError.
    """
    payment = Payment.objects.get(pk=payment_id)
    if payment.intent_id is None:
        return payment
    intent = gateway.intent_retrieve(intent_id=payment.intent_id)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment_id)
        if (
            intent.status == gateway.IntentStatus.SUCCEEDED
            and PaymentStatus.SUCCEEDED in PAYMENT_TRANSITIONS[locked.status]
        ):
            locked.amount = minor_to_rupiah(intent.amount)
            locked.save(update_fields=["amount", "updated_at"])
            _payment_move(locked, to=PaymentStatus.SUCCEEDED, actor=user, source="card")
            payment_succeeded.send(sender=Payment, payment=locked)
    return locked


def payment_refund(*, reference: str, amount: Decimal, idempotency_key: str, actor, reason: str) -> Refund:
    """Return `amount` rupiah of a paid card payment to the card, once per idempotency key.

    Never more than paid minus refunded (refunds in progress count as refunded).
    Safe to retry: a key already refunded returns its Refund; a key whose Stripe
    call failed or never finished is sent again with the same idempotency key, so
    Stripe refunds at most once. Raises RefundRefused (unknown or unpaid payment,
    too much, a key reused for another refund), ValueError (not whole rupiah) and
    PaymentGatewayError when Stripe refuses or cannot be reached (the Refund is
    then marked failed with the reason).
    """
    amount = Decimal(amount)
    minor = rupiah_to_minor(amount)
    if minor == 0:
        raise RefundRefused(_("Jumlah pengembalian harus lebih dari Rp0."))
    payment = Payment.objects.filter(reference=reference).first()
    if payment is None:
        raise RefundRefused(_("Pembayaran %(reference)s tidak dikenal.") % {"reference": reference})
    if payment.status in OPEN_STATUSES and payment.intent_id:
        # Paid at Stripe, but the webhook may not have arrived yet.
        intent = gateway.intent_retrieve(intent_id=payment.intent_id)
        _payment_sync_paid(payment_id=payment.pk, intent=intent, actor=actor, source="refund")

    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        refund = Refund.objects.filter(idempotency_key=idempotency_key).first()
        if refund is not None and (refund.payment_id != payment.pk or refund.amount != amount):
            raise RefundRefused(_("Kunci idempotensi ini sudah dipakai untuk pengembalian lain."))
        if refund is not None and refund.status == RefundStatus.SUCCEEDED:
            return refund
        if payment.status not in PAID_STATUSES:
            raise RefundRefused(
                _("Pembayaran %(reference)s belum lunas; tidak ada yang bisa dikembalikan.")
                % {"reference": reference}
            )
        succeeded, pending = selectors.refund_totals(payment=payment)
        if refund is not None and refund.status == RefundStatus.PENDING:
            pending -= refund.amount
        available = payment.amount - max(payment.amount_refunded, succeeded) - pending
        if amount > available:
            raise RefundRefused(
                _("Pengembalian %(amount)s melebihi sisa pembayaran yang bisa dikembalikan (%(available)s).")
                % {"amount": rupiah_format(amount), "available": rupiah_format(max(available, 0))}
            )
        if refund is None:
            refund = Refund.objects.create(
                payment=payment, amount=amount, idempotency_key=idempotency_key, actor=actor, reason=reason
            )
        else:
            refund = Refund.objects.select_for_update().get(pk=refund.pk)
            _refund_move(refund, to=RefundStatus.PENDING)

    try:
        result = gateway.refund_create(
            intent_id=payment.intent_id,
            amount_minor=minor,
            idempotency_key=idempotency_key,
            metadata={"reference": reference, "refund": str(refund.pk), "reason": reason[:400]},
        )
    except PaymentGatewayError as error:
        with transaction.atomic():
            refund = Refund.objects.select_for_update().get(pk=refund.pk)
            if refund.status == RefundStatus.PENDING:  # a parallel ask may have settled it
                _refund_move(refund, to=RefundStatus.FAILED, error=error.message)
        raise

    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        refund.stripe_refund_id = result.id
        went_through = result.status in REFUND_WENT_THROUGH
        _refund_move(
            refund, to=RefundStatus.SUCCEEDED if went_through else RefundStatus.FAILED, error=refund.error
        )
        succeeded, _pending = selectors.refund_totals(payment=payment)
        _payment_refunded_set(
            payment,
            refunded=max(payment.amount_refunded, succeeded),
            actor=actor,
            source=f"refund {result.id}",
        )
    return refund


UNPLACED_REASON = "Pembayaran tidak menjadi pesanan"


def _unplaced_refund_reserve(*, reference: str, actor, reason: str) -> Decimal | None:
    """Reserve the full refund of a paid payment no order uses; the amount, or None if it may not go back.

    Decided with the payment row locked, the lock order placement takes before
    it places orders on the payment (payment_for_basket_confirm), and the
    reserved refund makes placement refuse the payment from then on: the
    money cannot both go back and pay for an order. One refund key per
    payment, so the sweep and a failed placement reserve the same refund.
    """
    Order = get_model("order", "Order")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(reference=reference).first()
        if (
            payment is None
            or payment.status != PaymentStatus.SUCCEEDED
            or Order.objects.filter(checkout_reference=reference).exists()
        ):
            return None
        refund, _created = Refund.objects.get_or_create(
            idempotency_key=f"refund-unplaced-{reference}",
            defaults={
                "payment": payment,
                "amount": payment.amount - payment.amount_refunded,
                "actor": actor,
                "reason": reason,
            },
        )
        return refund.amount


def payment_unplaced_refund(*, reference: str, actor, reason: str) -> bool:
    """Give back a card payment whose order could not be placed, unless a placed order uses it.

    Called after a failed placement (the goods ran out after paying). A second
    click whose twin placed the order on this payment finds that order and
    refunds nothing. The refund itself is queued (Stripe is called outside any
    transaction, and the task retries). Returns whether a refund was queued.
    """
    payment = Payment.objects.filter(reference=reference).first()
    if payment is not None and payment.status in OPEN_STATUSES and payment.intent_id:
        # The placement's transaction that recorded it paid was rolled back: ask Stripe again.
        intent = gateway.intent_retrieve(intent_id=payment.intent_id)
        _payment_sync_paid(payment_id=payment.pk, intent=intent, actor=actor, source="checkout")
    amount = _unplaced_refund_reserve(reference=reference, actor=actor, reason=reason)
    if amount is None:
        return False
    try:
        tasks.payment_refund_task.delay(
            reference, str(amount), f"refund-unplaced-{reference}", getattr(actor, "pk", None), reason
        )
    except (PaymentGatewayError, RefundRefused):  # eager Celery in development; the sweep retries it
        logger.exception("Refund of unplaced payment %s could not be queued", reference)
    return True


def payments_unplaced_refund(*, now=None) -> int:
    """Give back card payments that succeeded but never became an order; returns how many.

    A buyer can pay and then close the page before the order is placed. A
    payment still unused PEKEN_UNPLACED_PAYMENT_REFUND_MINUTES after it
    succeeded is refunded in full. The payment row is locked while the sweep
    checks that no order carries its reference and reserves the refund
    (_unplaced_refund_reserve), and order placement locks the same row and
    refuses a payment with any refund, so the money cannot both go back and
    pay for an order. Run by Celery beat; safe to repeat (one refund key per
    payment).
    """
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.PEKEN_UNPLACED_PAYMENT_REFUND_MINUTES)
    due = list(
        Payment.objects.filter(status=PaymentStatus.SUCCEEDED, updated_at__lt=cutoff).values_list(
            "reference", flat=True
        )
    )
    refunded = 0
    for reference in due:
        amount = _unplaced_refund_reserve(reference=reference, actor=None, reason=UNPLACED_REASON)
        if amount is None:
            continue
        try:
            payment_refund(
                reference=reference,
                amount=amount,
                idempotency_key=f"refund-unplaced-{reference}",
                actor=None,
                reason=UNPLACED_REASON,
            )
        except PaymentGatewayError:
            logger.exception("Refund of unplaced payment %s failed; the next sweep retries it", reference)
            continue
        refunded += 1
    return refunded


def _payment_refunded_set(payment: Payment, *, refunded: Decimal, actor, source: str) -> None:
    """Raise a locked payment's refunded amount (never lower it) and move its status to match."""
    refunded = min(Decimal(refunded), payment.amount)
    if refunded <= payment.amount_refunded:
        return
    payment.amount_refunded = refunded
    payment.save(update_fields=["amount_refunded", "updated_at"])
    to = PaymentStatus.REFUNDED if refunded >= payment.amount else PaymentStatus.PARTIALLY_REFUNDED
    if to in PAYMENT_TRANSITIONS[payment.status]:
        _payment_move(payment, to=to, actor=actor, source=source)


# Webhook events


def _payment_for_intent(intent_id: str | None) -> Payment:
    payment = Payment.objects.select_for_update().filter(intent_id=intent_id).first() if intent_id else None
    if payment is None:
        raise UnknownPaymentEvent(f"no payment for intent {intent_id!r}")
    return payment


def _on_intent_succeeded(intent: dict, *, source: str) -> None:
    payment = _payment_for_intent(intent.get("id"))
    if PaymentStatus.SUCCEEDED in PAYMENT_TRANSITIONS[payment.status]:
        payment.amount = minor_to_rupiah(int(intent["amount"]))
        payment.last_error_code = ""
        payment.save(update_fields=["amount", "last_error_code", "updated_at"])
        _payment_move(payment, to=PaymentStatus.SUCCEEDED, actor=None, source=source)
    if payment.status in PAID_STATUSES:
        # the orders of this checkout are marked paid (orders/apps.py listens)
        payment_succeeded.send(sender=Payment, payment=payment)


def _on_intent_failed(intent: dict, *, source: str) -> None:
    payment = _payment_for_intent(intent.get("id"))
    if payment.status in OPEN_STATUSES:  # a late failure never undoes a payment
        error = intent.get("last_payment_error") or {}
        payment.last_error_code = (error.get("decline_code") or error.get("code") or "")[:64]
        payment.save(update_fields=["last_error_code", "updated_at"])
        _payment_move(payment, to=PaymentStatus.FAILED, actor=None, source=source)


def _on_intent_canceled(intent: dict, *, source: str) -> None:
    payment = _payment_for_intent(intent.get("id"))
    if PaymentStatus.CANCELED in PAYMENT_TRANSITIONS[payment.status]:
        _payment_move(payment, to=PaymentStatus.CANCELED, actor=None, source=source)


def _on_charge_refunded(charge: dict, *, source: str) -> None:
    # A charge carries the total refunded so far: taking the larger of it and what
    # is recorded makes repeated and reordered events harmless.
    payment = _payment_for_intent(charge.get("payment_intent"))
    if payment.status in PAID_STATUSES:
        refunded = minor_to_rupiah(int(charge.get("amount_refunded") or 0))
        _payment_refunded_set(payment, refunded=refunded, actor=None, source=source)


EVENT_HANDLERS = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "payment_intent.canceled": _on_intent_canceled,
    "charge.refunded": _on_charge_refunded,
}


def stripe_event_handle(*, event: dict) -> bool:
    """Apply one verified Stripe event once; False if its id was handled before.

    The event row and its effect commit together, so an event handled twice (even
    by two deliveries at the same moment: the second waits on the unique event id)
    has the effect of one. Events of other types are recorded and change nothing.
    Raises UnknownPaymentEvent for an intent Peken does not know and
    WebhookEventInvalid (a ValueError) for an event without id, type or object
    or without a field its type needs (gateway.event_check); in both cases
    nothing is recorded, so a later delivery is handled afresh.
    """
    event_id, event_type, obj = gateway.event_check(event)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(event_id=event_id, type=event_type, payload=event)
        except IntegrityError:
            return False
        handler = EVENT_HANDLERS.get(event_type)
        if handler is not None:
            handler(obj, source=f"stripe {event_id}")
        StripeEvent.objects.filter(pk=record.pk).update(processed_at=timezone.now())
    return True
