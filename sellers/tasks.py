from celery import shared_task

from sellers import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def seller_decision_notify(decision_id: int) -> None:
    """Email a shop about a verification decision; queued after commit."""
    services.seller_decision_notify(decision_id=decision_id)
