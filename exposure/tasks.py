from celery import shared_task


@shared_task
def seller_activity_refresh() -> int:
    """Recount the shops' recent orders; scheduled by Celery beat (CELERY_BEAT_SCHEDULE)."""
    from exposure import services

    return services.seller_activity_refresh()
