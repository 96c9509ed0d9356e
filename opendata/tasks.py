"""Celery task of the open data: the nightly bulk file."""

from celery import shared_task

from opendata import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def bulk_file_build() -> int:
    """Nightly (beat): rebuild the bulk file of every published release; how many it holds.

    Safe to retry: a build writes the whole file anew and moves it into place at once.
    """
    return services.bulk_file_build().releases
