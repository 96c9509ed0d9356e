from celery import shared_task
from django.contrib.auth import get_user_model

from orders import services
from payments.exceptions import PaymentGatewayUnavailable


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_status_notify(change_id: int) -> None:
    """Email the other side of an order's status move; queued after commit."""
    services.order_status_notify(change_id=change_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_seller_notify(order_id: int) -> None:
    """Email a seller about a new order; queued after commit."""
    services.order_seller_notify(order_id=order_id)


@shared_task
def orders_auto_confirm() -> int:
    """Hourly: orders sent or ready long enough count as received."""
    return services.orders_auto_confirm()


@shared_task(autoretry_for=(PaymentGatewayUnavailable,), retry_backoff=True, max_retries=8)
def order_refund(order_id: int, actor_id: int | None, reason: str) -> None:
    """Refund a rejected or cancelled card order; queued on commit, safe to retry (one key per order)."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    services.order_refund(order_id=order_id, actor=actor, reason=reason)
