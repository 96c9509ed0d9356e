from decimal import Decimal

from celery import shared_task
from django.contrib.auth import get_user_model

from payments import services
from payments.exceptions import PaymentGatewayUnavailable


@shared_task(autoretry_for=(PaymentGatewayUnavailable,), retry_backoff=True, max_retries=8)
def payment_refund_task(
    reference: str, amount: str, idempotency_key: str, actor_id: int | None, reason: str
) -> None:
    """Refund a card payment through Stripe; queued on commit, safe to retry (same idempotency key)."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    services.payment_refund(
        reference=reference,
        amount=Decimal(amount),
        idempotency_key=idempotency_key,
        actor=actor,
        reason=reason,
    )


@shared_task
def payments_unplaced_refund() -> int:
    """Every 15 minutes: give back card payments that never became an order."""
    return services.payments_unplaced_refund()
