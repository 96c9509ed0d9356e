"""Celery tasks of official procurement: emails after commit, and the hourly reminder and expiry runs."""

from celery import shared_task

from procurement.audit_watch import audit_chain_watch as watch

# A task imports its work (procurement.services, procurement.notifications) when it runs, not here:
# procurement.services queues these tasks, so importing it here would be a cycle.


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def requisition_notify(requisition_id: int, event: str) -> int:
    """Email the people a requisition's ``event`` concerns; queued after commit."""
    from procurement import notifications

    return notifications.requisition_notify(requisition_id=requisition_id, event=event)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def official_order_notify(change_id: int) -> int:
    """Email the requester that a seller accepted, rejected or sent an official order; queued after commit."""
    from procurement import notifications

    return notifications.official_order_notify(change_id=change_id)


@shared_task
def requisitions_remind() -> int:
    """Hourly (beat): remind approvers of requisitions waiting too many working days, once a day."""
    from procurement import services

    return services.requisitions_remind()


@shared_task
def requisitions_expire() -> int:
    """Hourly (beat): expire requisitions not acted on within PEKEN_REQUISITION_EXPIRY_DAYS."""
    from procurement import services

    return services.requisitions_expire()


@shared_task
def audit_chain_watch() -> bool:
    """Nightly (beat): check the audit chain, publish its head or alarm the auditors; True if intact."""
    return watch().intact


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def fulfilment_notify(order_id: int, event: str, object_id: int | None) -> int:
    """Email the seller and the requester (and, once complete, the treasurer) after receipt or payment."""
    from procurement import notifications

    return notifications.fulfilment_notify(order_id=order_id, event=event, object_id=object_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def official_documents_issue(order_id: int, actor_id: int | None) -> int:
    """Issue the documents an official order is due now (contract, BAST, kuitansi, tax summary)."""
    from procurement.services import documents

    return len(documents.documents_issue_due(order_id=order_id, actor_id=actor_id))


@shared_task
def spj_bundle_build(bundle_id: int) -> str:
    """Build a large SPJ bundle's ZIP, its progress on the bundle; safe to run again. Its final status."""
    from procurement.services import spj

    return spj.spj_bundle_build(bundle_id=bundle_id).status
