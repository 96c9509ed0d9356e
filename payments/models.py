"""Card payments: one Payment per checkout attempt, its status moves, Stripe's events, refunds."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peken.status_records import AbstractStatusRecord


class PaymentStatus(models.TextChoices):
    CREATED = "dibuat", pgettext_lazy("payment status", "Menunggu pembayaran")
    FAILED = "gagal", pgettext_lazy("payment status", "Gagal")
    CANCELED = "dibatalkan", pgettext_lazy("payment status", "Dibatalkan")
    SUCCEEDED = "berhasil", pgettext_lazy("payment status", "Lunas")
    PARTIALLY_REFUNDED = "dikembalikan-sebagian", pgettext_lazy("payment status", "Dikembalikan sebagian")
    REFUNDED = "dikembalikan", pgettext_lazy("payment status", "Dikembalikan")


# The one table of allowed moves. "Failed" is the outcome of the latest attempt, not
# the end: the buyer may try another card on the same intent, so it can still succeed.
# Nothing leads back from a paid state: a late "payment_failed" cannot undo a payment.
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.CREATED: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELED}),
    PaymentStatus.FAILED: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED}),
    PaymentStatus.CANCELED: frozenset(),
    PaymentStatus.SUCCEEDED: frozenset({PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}),
    PaymentStatus.PARTIALLY_REFUNDED: frozenset({PaymentStatus.REFUNDED}),
    PaymentStatus.REFUNDED: frozenset(),
}
OPEN_STATUSES = (PaymentStatus.CREATED, PaymentStatus.FAILED)
PAID_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


class Payment(models.Model):
    """One card checkout attempt of a basket, mirrored from one Stripe PaymentIntent."""

    reference = models.CharField(_("referensi"), max_length=20, unique=True)
    basket = models.ForeignKey(
        "basket.Basket", on_delete=models.SET_NULL, null=True, blank=True, related_name="card_payments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="card_payments",
    )
    amount = models.DecimalField(_("jumlah"), max_digits=14, decimal_places=0)
    # what a payment without a basket pays for, e.g. "kkpd-<order number>"; one payment per purpose
    purpose = models.CharField(max_length=64, unique=True, null=True, blank=True)
    currency = models.CharField(max_length=3, default="IDR")
    intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    amount_refunded = models.DecimalField(max_digits=14, decimal_places=0, default=Decimal(0))
    last_error_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pembayaran kartu")
        verbose_name_plural = _("pembayaran kartu")
        constraints = [
            # A basket has at most one payment that can still be paid.
            models.UniqueConstraint(
                fields=["basket"], condition=Q(status__in=OPEN_STATUSES), name="payments_one_open_per_basket"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount_refunded__gte=0, amount_refunded__lte=F("amount")),
                name="payments_refund_within_amount",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def refundable(self) -> Decimal:
        return self.amount - self.amount_refunded


class PaymentStatusChange(AbstractStatusRecord):
    """Who or what moved a payment, from what to what, and why.

    Stripe's events move most payments, and nobody is emailed per move: the why is the
    event (``source``), not a person's reason.
    """

    statuses = PaymentStatus

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(max_length=24, choices=PaymentStatus.choices)
    new_status = models.CharField(max_length=24, choices=PaymentStatus.choices)
    source = models.CharField(max_length=100, help_text="e.g. the Stripe event id, or 'checkout'")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.payment}: {self.old_status} -> {self.new_status}"


class StripeEvent(models.Model):
    """A webhook event handled once: its id is the idempotency key of the handling."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.event_id} {self.type}"


class RefundStatus(models.TextChoices):
    PENDING = "diproses", pgettext_lazy("refund status", "Diproses")
    SUCCEEDED = "berhasil", pgettext_lazy("refund status", "Berhasil")
    FAILED = "gagal", pgettext_lazy("refund status", "Gagal")


# A refund is asked of Stripe while pending; a failed one may be asked again with its own key.
# Stripe's answer is the truth: one marked failed after a lost connection may have gone through.
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RefundStatus.PENDING: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.FAILED: frozenset({RefundStatus.PENDING, RefundStatus.SUCCEEDED}),
    RefundStatus.SUCCEEDED: frozenset(),
}


class Refund(models.Model):
    """Money returned to the card, asked for once per idempotency key."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("jumlah"), max_digits=14, decimal_places=0)
    stripe_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.TextField(_("alasan"))
    status = models.CharField(max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_positive")]

    def __str__(self):
        return f"{self.payment} -{self.amount}"
