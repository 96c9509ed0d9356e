from celery import shared_task

from checkout import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_confirmation_send(order_id: int) -> None:
    """Email the buyer that their order was placed; queued after commit."""
    services.order_confirmation_send(order_id=order_id)
