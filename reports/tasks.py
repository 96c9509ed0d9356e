"""Celery tasks of the reports: a large export built by a worker, the expiry sweep, the monthly summary,
the city-wide readings of the red flags kept current, the spend report's shares split, the
materialized views refreshed."""

from celery import shared_task

# A task imports its work when it runs, not here: reports.services queues these tasks, so
# importing it here would be a cycle.


@shared_task
def report_export_build(export_id: int) -> str | None:
    """Build a large report export's file, its progress on the export; safe to run again. Its final status."""
    from reports import services

    export = services.report_export_build(export_id=export_id)
    return export.status if export else None


@shared_task
def report_exports_sweep() -> int:
    """Hourly (beat): delete the exports past PEKEN_REPORT_EXPORT_KEEP_DAYS, with their files."""
    from reports import services

    return services.report_exports_sweep()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def monthly_summaries_send(year: int | None = None, month: int | None = None) -> int:
    """On the 1st (beat): last month's summary to every PA/KPA and city auditor, once each; how many sent."""
    from reports import monthly_summary

    return monthly_summary.monthly_summaries_send(year=year, month=month)


@shared_task
def summaries_refresh() -> int:
    """Every PEKEN_REPORT_SUMMARY_REFRESH_MINUTES (beat): read this year's and month's flags anew."""
    from reports import summaries

    return summaries.summaries_refresh()


@shared_task
def spend_shares_split() -> int:
    """Every five minutes (beat): split the payments paid since the last run (reports.services)."""
    from reports import services

    return services.spend_shares_split()


@shared_task
def materialized_views_refresh() -> list[str]:
    """Every PEKEN_REPORTS_VIEW_REFRESH_MINUTES (beat): refresh the reports' materialized views."""
    from reports import services

    return services.materialized_views_refresh()
