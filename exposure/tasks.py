from celery import shared_task

from exposure import services


@shared_task
def seller_activity_refresh() -> int:
    """Recount the shops' recent orders; scheduled by Celery beat (CELERY_BEAT_SCHEDULE)."""
    return services.seller_activity_refresh()
