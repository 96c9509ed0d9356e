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
    WebhookEventInvalid,
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
            code=code,
            http_status=status,
        )
    return PaymentGatewayError(
        _("Layanan pembayaran kartu menolak permintaan ini (%(detail)s).")
        % {"detail": error.user_message or code or status},
        code=code,
        http_status=status,
    )


def _intent(resource) -> Intent:
    obj = resource.to_dict()
    error = obj.get("last_payment_error") or {}
    return Intent(
        id=obj["id"],
        status=obj["status"],
        amount=int(obj["amount"]),
        currency=obj["currency"],
        client_secret=obj["client_secret"],
        last_error_code=error.get("decline_code") or error.get("code"),
    )


def intent_create(*, amount_minor: int, reference: str, idempotency_key: str, metadata: dict) -> Intent:
    """Create a card PaymentIntent in rupiah; the same idempotency key returns the same intent."""
    try:
        obj = _client().v1.payment_intents.create(
            params={
                "amount": amount_minor,
                "currency": CURRENCY,
                "payment_method_types": ["card"],
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
            payload.decode("utf-8"),
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=stripe.Webhook.DEFAULT_TOLERANCE,
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as error:
        raise WebhookSignatureInvalid(str(error)) from error
    event = json.loads(payload)
    if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
        raise ValueError("not a Stripe event")
    return event


# The fields Peken reads from the object of each event type it acts on, and the kind each must be
# (payments.services.EVENT_HANDLERS has one handler per type here). None: may be absent or null.
_ID, _MINOR = (str,), (int,)
EVENT_FIELDS: dict[str, dict[str, tuple]] = {
    "payment_intent.succeeded": {"id": _ID, "amount": _MINOR},
    "payment_intent.payment_failed": {"id": _ID, "last_payment_error": (dict, None)},
    "payment_intent.canceled": {"id": _ID},
    "charge.refunded": {"payment_intent": _ID, "amount_refunded": _MINOR},
}
_ERROR_FIELDS = {"code": (str, None), "decline_code": (str, None)}


def _fields_check(obj: dict, fields: dict[str, tuple], where: str) -> None:
    for name, kinds in fields.items():
        value = obj.get(name)
        if value is None:
            if None in kinds:
                continue
            raise WebhookEventInvalid(f"{where}: no {name}")
        if isinstance(value, bool) or not isinstance(value, tuple(k for k in kinds if k is not None)):
            raise WebhookEventInvalid(f"{where}: {name} is {type(value).__name__}")
        if kinds == _ID and not value:
            raise WebhookEventInvalid(f"{where}: empty {name}")
        if kinds == _MINOR and value < 0:
            raise WebhookEventInvalid(f"{where}: negative {name}")


def event_check(event: dict) -> tuple[str, str, dict]:
    """The event's (id, type, object), once it has every field Peken reads for its type.

    Raises WebhookEventInvalid naming the first missing or ill-typed field: an
    event without id, type or object, or (for the types in EVENT_FIELDS) one
    whose object lacks what its handler needs.
    """
    event_id, event_type = event.get("id"), event.get("type")
    obj = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
    if not (isinstance(event_id, str) and event_id and isinstance(event_type, str) and isinstance(obj, dict)):
        raise WebhookEventInvalid("event without id, type or object")
    where = f"{event_type} {event_id}"
    _fields_check(obj, EVENT_FIELDS.get(event_type, {}), where)
    if isinstance(obj.get("last_payment_error"), dict):
        _fields_check(obj["last_payment_error"], _ERROR_FIELDS, where + " last_payment_error")
    return event_id, event_type, obj


def configured() -> bool:
    """Whether card payment can be offered: the three Stripe keys are set."""
    return all(
        getattr(settings, name, "")
        for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")
    )
