from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_status_notify(change_id: int) -> None:
    """Email the other side of an order's status move; queued after commit."""
    from orders import services

    services.order_status_notify(change_id=change_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_seller_notify(order_id: int) -> None:
    """Email a seller about a new order; queued after commit."""
    from orders import services

    services.order_seller_notify(order_id=order_id)


@shared_task
def orders_auto_confirm() -> int:
    """Hourly: orders sent or ready long enough count as received."""
    from orders import services

    return services.orders_auto_confirm()
