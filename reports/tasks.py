"""Celery tasks of the reports: keeping their own summaries up to date."""

from celery import shared_task

from reports import services


@shared_task
def spend_shares_split() -> int:
    """Every five minutes (beat): split the payments paid since the last run (reports.services)."""
    return services.spend_shares_split()
