"""The only module that talks to Stripe.

Configured from settings: STRIPE_SECRET_KEY, STRIPE_API_BASE (localstripe in
development and tests, unset in production) and STRIPE_WEBHOOK_SECRET. It speaks in
Stripe's minor units and plain dataclasses, and turns Stripe's exceptions into
payments.exceptions, so nothing else imports `stripe`. Callers keep these network
calls outside database transactions.
"""

import json
import logging
from dataclasses import dataclass
from enum import StrEnum

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from payments.exceptions import (
    CardDeclined,
    PaymentGatewayError,
    PaymentGatewayUnavailable,
    WebhookSignatureInvalid,
    card_error_message,
)

logger = logging.getLogger(__name__)

CURRENCY = "idr"


class IntentStatus(StrEnum):
    """Stripe's words for a PaymentIntent's state (Peken's own are payments.models.PaymentStatus)."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"


class RefundOutcome(StrEnum):
    """Stripe's words for a refund's state."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount: int
    currency: str
    client_secret: str
    last_error_code: str | None = None


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: int


def _client() -> stripe.StripeClient:
    base = getattr(settings, "STRIPE_API_BASE", None)
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        # Stripe's own retries reuse the idempotency key, so a retried POST has one effect.
        max_network_retries=2,
    )


def _translate(error: stripe.StripeError) -> PaymentGatewayError:
    status = getattr(error, "http_status", None)
    code = getattr(error, "code", None)
    logger.warning("Stripe error %s (%s): %s", type(error).__name__, code, error.user_message or error)
    if isinstance(error, stripe.CardError):
        decline_code = (error.json_body or {}).get("error", {}).get("decline_code")
        return CardDeclined(card_error_message(code, decline_code), code=code, http_status=status)
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError) or (
        status is not None and status >= 500
    ):
        return PaymentGatewayUnavailable(
            _("Layanan pembayaran kartu sedang tidak dapat dihubungi. Coba lagi beberapa saat lagi."),
            code=code, http_status=status,
        )
    return PaymentGatewayError(
        _("Layanan pembayaran kartu menolak permintaan ini (%(detail)s).")
        % {"detail": error.user_message or code or status},
        code=code, http_status=status,
    )


def _intent(resource) -> Intent:
    obj = resource.to_dict()
    error = obj.get("last_payment_error") or {}
    return Intent(
        id=obj["id"], status=obj["status"], amount=int(obj["amount"]), currency=obj["currency"],
        client_secret=obj["client_secret"], last_error_code=error.get("decline_code") or error.get("code"),
    )


def intent_create(*, amount_minor: int, reference: str, idempotency_key: str, metadata: dict) -> Intent:
    """Create a card PaymentIntent in rupiah; the same idempotency key returns the same intent."""
    try:
        obj = _client().v1.payment_intents.create(
            params={
                "amount": amount_minor, "currency": CURRENCY, "payment_method_types": ["card"],
                "metadata": {"reference": reference, **metadata},
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _translate(error) from error
    return _intent(obj)


def intent_update_amount(*, intent_id: str, amount_minor: int) -> Intent:
    """Change the amount of an intent not yet confirmed."""
    try:
        obj = _client().v1.payment_intents.update(intent_id, params={"amount": amount_minor})
    except stripe.StripeError as error:
        raise _translate(error) from error
    return _intent(obj)


def intent_retrieve(*, intent_id: str) -> Intent:
    try:
        obj = _client().v1.payment_intents.retrieve(intent_id)
    except stripe.StripeError as error:
        raise _translate(error) from error
    return _intent(obj)


def refund_create(*, intent_id: str, amount_minor: int, idempotency_key: str, metadata: dict) -> RefundResult:
    """Refund part or all of a succeeded intent; the same idempotency key refunds once."""
    try:
        obj = _client().v1.refunds.create(
            params={"payment_intent": intent_id, "amount": amount_minor, "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _translate(error) from error
    return RefundResult(id=obj.id, status=obj.status, amount=int(obj.amount))


def event_verify(*, payload: bytes, signature: str | None) -> dict:
    """Check a webhook's Stripe-Signature against STRIPE_WEBHOOK_SECRET and return the event.

    Raises WebhookSignatureInvalid for a missing, stale or wrong signature and
    ValueError for a payload that is not a JSON object.
    """
    if not signature:
        raise WebhookSignatureInvalid("no Stripe-Signature header")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature, settings.STRIPE_WEBHOOK_SECRET,
            tolerance=stripe.Webhook.DEFAULT_TOLERANCE,
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as error:
        raise WebhookSignatureInvalid(str(error)) from error
    event = json.loads(payload)
    if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
        raise ValueError("not a Stripe event")
    return event


def configured() -> bool:
    """Whether card payment can be offered: the three Stripe keys are set."""
    return all(
        getattr(settings, name, "")
        for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")
    )
