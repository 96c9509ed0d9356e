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
