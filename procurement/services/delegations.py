"""Delegations of an approver role, and an agency's approval policy.

A delegation lets a member of the same agency act for a holder of an
approver role for a bounded time (peken.limits); revoking it ends it now. The
default policy is DOMAIN.md's three steps.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peken import limits, locks
from procurement.audit import audit_record
from procurement.models import Agency, ApprovalStep, Delegation, Membership
from procurement.services._common import ProcurementError, _person, _role_label
from procurement.statuses import Role


def delegation_create(
    *,
    agency: Agency,
    delegator: AbstractBaseUser,
    delegate: AbstractBaseUser,
    role: str,
    start: date,
    end: date,
    actor: AbstractBaseUser,
    ip: str | None = None,
) -> Delegation:
    """Let ``delegate`` act for ``delegator`` in ``role`` at ``agency`` from ``start`` to ``end``.

    The delegator must hold an approver role there, the delegate must be a
    member of the same agency, not the delegator, and the dates in order.
    Raises ProcurementError with a message otherwise.
    """
    if role not in {
        r.value for r in (Role.PROCUREMENT_OFFICIAL, Role.COMMITMENT_OFFICIAL, Role.BUDGET_HOLDER)
    }:
        raise ProcurementError(_("Hanya peran penyetuju yang dapat dilimpahkan."))
    if delegator.pk == delegate.pk:
        raise ProcurementError(_("Pelimpahan tidak bisa kepada diri sendiri."))
    if end < start:
        raise ProcurementError(_("Tanggal selesai harus sama dengan atau sesudah tanggal mulai."))
    if too_long := limits.delegation_problem(start=start, end=end):
        raise ProcurementError(too_long)
    if not Membership.objects.filter(user=delegator, agency=agency, role=role).exists():
        raise ProcurementError(
            _("%(name)s tidak memegang peran %(role)s di %(agency)s.")
            % {"name": _person(delegator), "role": _role_label(role), "agency": agency.name}
        )
    if not Membership.objects.filter(user=delegate, agency=agency).exists():
        raise ProcurementError(
            _("%(name)s bukan pegawai %(agency)s.") % {"name": _person(delegate), "agency": agency.name}
        )
    with transaction.atomic():
        delegation = Delegation.objects.create(
            agency=agency, delegator=delegator, delegate=delegate, role=role, start=start, end=end
        )
        audit_record(
            actor=actor,
            action="delegation.create",
            obj=delegation,
            ip=ip,
            after={
                "agency": agency.pk,
                "delegator": delegator.pk,
                "delegate": delegate.pk,
                "role": role,
                "start": start,
                "end": end,
            },
        )
    return delegation


def delegation_revoke(
    *, delegation: Delegation, actor: AbstractBaseUser, ip: str | None = None
) -> Delegation:
    """End a delegation now; revoking twice changes nothing the second time."""
    with transaction.atomic():
        delegation = locks.delegation_lock(delegation_id=delegation.pk)
        if delegation.date_revoked is not None:
            return delegation
        delegation.date_revoked = timezone.now()
        delegation.save(update_fields=["date_revoked"])
        audit_record(
            actor=actor,
            action="delegation.revoke",
            obj=delegation,
            ip=ip,
            before={"date_revoked": None},
            after={"date_revoked": delegation.date_revoked},
        )
    return delegation


def approval_policy_default(
    *, agency: Agency, actor: AbstractBaseUser, ip: str | None = None
) -> list[ApprovalStep]:
    """Give ``agency`` DOMAIN.md's approval policy, replacing its steps.

    1. Pejabat Pengadaan for every amount; 2. PPK above
    PEKEN_APPROVAL_PP_LIMIT; 3. PA/KPA above PEKEN_APPROVAL_PA_THRESHOLD.
    """
    rows = [
        (1, Role.PROCUREMENT_OFFICIAL, Decimal(0)),
        (2, Role.COMMITMENT_OFFICIAL, Decimal(settings.PEKEN_APPROVAL_PP_LIMIT)),
        (3, Role.BUDGET_HOLDER, Decimal(settings.PEKEN_APPROVAL_PA_THRESHOLD)),
    ]
    with transaction.atomic():
        locks.agency_lock(agency_id=agency.pk)
        old = list(
            ApprovalStep.objects.filter(agency=agency)
            .order_by("position")
            .values("position", "role", "min_amount", "max_amount")
        )
        ApprovalStep.objects.filter(agency=agency).delete()
        steps = ApprovalStep.objects.bulk_create(
            [
                ApprovalStep(agency=agency, position=p, role=r, min_amount=m, max_amount=None)
                for p, r, m in rows
            ]
        )
        audit_record(
            actor=actor,
            action="approval_policy.default",
            obj=agency,
            ip=ip,
            before={"steps": old},
            after={"steps": [{"position": p, "role": r.value, "min_amount": str(m)} for p, r, m in rows]},
        )
    return steps
