"""Celery tasks of the spending reports: keeping the slow city-wide readings current."""

from celery import shared_task

from reports import summaries


@shared_task
def summaries_refresh() -> int:
    """Every PEKEN_REPORT_SUMMARY_REFRESH_MINUTES (beat): read this year's and month's flags again."""
    return summaries.summaries_refresh()
