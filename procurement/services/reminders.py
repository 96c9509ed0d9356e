"""The hourly runs over waiting requisitions: remind their approvers, expire the stale ones.

Each requisition is handled under its row lock, so two beat runs remind
once a day and expire once.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from procurement import selectors
from procurement.audit import audit_record
from procurement.models import Requisition
from procurement.services._common import _locked, _move, _notify
from procurement.statuses import RequisitionStatus


def _working_days_between(start: date, end: date) -> int:
    """Mon-Fri days after ``start`` up to and including ``end``."""
    days, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


def requisitions_remind(*, now: datetime | None = None) -> int:
    """Email the people who can act on requisitions waiting too long; at most once a day each.

    A requisition waits from its submission or its last decision; after
    PEKEN_APPROVAL_REMINDER_WORKING_DAYS working days (Mon-Fri) the current
    step's candidates are reminded. The reminder date is set under the
    requisition's row lock, so two beat runs on one day send one reminder.
    Returns how many requisitions were reminded.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    reminded = 0
    for pk, last in selectors.requisitions_waiting_since():
        if (
            _working_days_between(timezone.localdate(last), today)
            < settings.PEKEN_APPROVAL_REMINDER_WORKING_DAYS
        ):
            continue
        with transaction.atomic():
            requisition = _locked(Requisition(pk=pk))
            if requisition.status != RequisitionStatus.SUBMITTED:
                continue
            if requisition.date_reminded and timezone.localdate(requisition.date_reminded) == today:
                continue
            requisition.date_reminded = now
            requisition.save(update_fields=["date_reminded"])
            _notify(requisition.pk, "reminder")
            reminded += 1
    return reminded


def requisitions_expire(*, now: datetime | None = None) -> int:
    """Expire submitted requisitions untouched for PEKEN_REQUISITION_EXPIRY_DAYS days; returns how many.

    Nothing is committed before final approval, so nothing is released;
    the expiry is recorded in the trail (by the system) and the requester
    emailed.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PEKEN_REQUISITION_EXPIRY_DAYS)
    expired = 0
    for pk, last in selectors.requisitions_waiting_since():
        if last > cutoff:
            continue
        with transaction.atomic():
            requisition = _locked(Requisition(pk=pk))
            if requisition.status != RequisitionStatus.SUBMITTED:
                continue
            _move(requisition, RequisitionStatus.EXPIRED)
            requisition.date_decided = now
            requisition.save(update_fields=["status", "date_decided"])
            audit_record(
                actor=None,
                action="requisition.expire",
                obj=requisition,
                requisition=requisition,
                before={"status": RequisitionStatus.SUBMITTED},
                after={"status": requisition.status, "days": settings.PEKEN_REQUISITION_EXPIRY_DAYS},
            )
            _notify(requisition.pk, "expired")
            expired += 1
    return expired
