from celery import shared_task

from catalogue_ext import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def listing_decision_notify(decision_id: int) -> None:
    """Email a shop about a verifier's decision on its listing; queued after commit."""
    services.listing_decision_notify(decision_id=decision_id)


@shared_task
def search_words_refresh() -> int:
    """Rebuild the vocabulary search corrects typing against; scheduled by Celery beat."""
    return services.search_words_refresh()


@shared_task
def recommended_listings_refresh() -> int:
    """Rank the catalogue and its categories in Rekomendasi order ahead of requests; scheduled by beat."""
    return services.recommended_listings_refresh()
