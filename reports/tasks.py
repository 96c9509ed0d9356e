from celery import shared_task

from reports import services


@shared_task
def summaries_refresh() -> list[str]:
    """Refresh the reports' materialized summaries; scheduled by Celery beat (CELERY_BEAT_SCHEDULE)."""
    return services.summaries_refresh()
