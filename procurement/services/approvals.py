"""Approval decisions: one person decides the current step of a submitted requisition.

Who may decide is procurement.authority, the one rule the inbox, the badge,
the candidates list and the decision page use (role, active delegation,
segregation of duties); this module only words a refusal. The requisition's row is locked, so one
decision per step wins; the last approval places the official orders
(procurement.services.official_orders) and is retried on a deadlock.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.tasks import order_seller_notify
from peken.db import retry_on_conflict
from procurement import authority, selectors
from procurement.audit import audit_record
from procurement.models import ApprovalDecision, ApprovalStep, Requisition
from procurement.services._common import (
    ApprovalRefused,
    ProcurementError,
    RequisitionStateError,
    _locked,
    _move,
    _notify,
    _person,
    _requisition_values,
    _role_label,
)
from procurement.services.official_orders import _approve_final
from procurement.statuses import Decision, RequisitionStatus


def _authority(*, requisition: Requisition, step: ApprovalStep, user, decisions, today: date):
    """The person ``user`` acts for on ``step`` (None: in their own name); raises ApprovalRefused.

    Whether they may is procurement.authority, the rule the inbox shows;
    what follows a refusal only explains it.
    """
    may = authority.step_authority(requisition=requisition, user=user)
    if may.allowed and may.position == step.position:
        if may.acting_for_id is None:
            return None
        return get_user_model().objects.get(pk=may.acting_for_id)
    reason = authority.step_refusal(
        requisition=requisition, step=step, user=user, decisions=decisions, today=today
    )
    if reason is None:
        raise ApprovalRefused(
            _(
                "Tahap ini menunggu %(role)s; Anda tidak memegang peran itu atau pelimpahan "
                "yang berlaku. %(who)s"
            )
            % {
                "role": _role_label(step.role),
                "who": _who_else(requisition=requisition, step=step, user=user),
            }
        )
    raise ApprovalRefused(
        _("Pemisahan tugas: %(reason)s %(who)s")
        % {"reason": reason, "who": _who_else(requisition=requisition, step=step, user=user)}
    )


def _who_else(*, requisition: Requisition, step: ApprovalStep, user) -> str:
    others = [
        (u, f) for u, f in authority.step_candidates(requisition=requisition, step=step) if u.pk != user.pk
    ]
    if not others:
        return _(
            "Tidak ada orang lain yang dapat bertindak: admin OPD harus menugaskan seseorang sebagai "
            "%(role)s."
        ) % {"role": _role_label(step.role)}
    names = ", ".join(
        _person(u) + (_(" (mewakili %(name)s)") % {"name": _person(f)} if f else "") for u, f in others
    )
    return _("Yang dapat bertindak: %(names)s.") % {"names": names}


@retry_on_conflict
def requisition_decide(
    *,
    requisition: Requisition,
    user: AbstractBaseUser,
    decision: Decision,
    comment: str = "",
    ip: str | None = None,
) -> ApprovalDecision:
    """Approve, reject or return the requisition's current step as ``user``.

    The current step is the first step of the agency's policy whose amount
    range holds the total and that has no approval in this round. ``user``
    acts if they hold its role in the agency, or as delegate of an active
    delegation from a holder (recorded as acting for them). Segregation of
    duties: nobody decides a requisition they (or the person they act for)
    requested, nor two steps of one requisition. Reject and return need a
    comment. The requisition row is locked, so one decision per step wins.
    The last approval commits the budget under a row lock on the budget line
    and places one order per seller. Raises ApprovalRefused, BudgetExceeded,
    RequisitionStateError or ProcurementError with a message for the approver.
    """
    decision = Decision(decision)
    comment = comment.strip()
    with transaction.atomic():
        requisition = _locked(requisition)
        if requisition.status != RequisitionStatus.SUBMITTED:
            raise RequisitionStateError(
                _("Permintaan %(ref)s tidak sedang menunggu persetujuan (%(status)s).")
                % {"ref": requisition.reference, "status": requisition.get_status_display()}
            )
        steps = selectors.requisition_steps(requisition=requisition)
        decisions = list(requisition.decisions.all())
        step = selectors.requisition_current_step(requisition=requisition, steps=steps, decisions=decisions)
        if step is None:
            raise ProcurementError(_("Tidak ada tahap persetujuan yang menunggu; hubungi admin OPD."))
        acting_for = _authority(
            requisition=requisition, step=step, user=user, decisions=decisions, today=timezone.localdate()
        )
        if decision != Decision.APPROVE and not comment:
            raise ProcurementError(_("Tuliskan alasan menolak atau mengembalikan permintaan."))
        before = _requisition_values(requisition)
        try:
            with transaction.atomic():
                made = ApprovalDecision.objects.create(
                    requisition=requisition,
                    round=requisition.round,
                    position=step.position,
                    role=step.role,
                    decision=decision,
                    actor=user,
                    acting_for=acting_for,
                    comment=comment,
                )
        except IntegrityError as error:
            raise ApprovalRefused(_("Tahap ini sudah diputuskan orang lain.")) from error
        now = timezone.now()
        final = step.position == steps[-1].position
        orders = []
        if decision == Decision.APPROVE and final:
            orders = _approve_final(requisition=requisition, actor=user)
            _move(requisition, RequisitionStatus.APPROVED)
            requisition.date_decided = now
        elif decision == Decision.APPROVE:
            _move(requisition, RequisitionStatus.SUBMITTED)
        elif decision == Decision.REJECT:
            _move(requisition, RequisitionStatus.REJECTED)
            requisition.date_decided = now
        else:
            _move(requisition, RequisitionStatus.RETURNED)
        requisition.date_reminded = None
        requisition.save(update_fields=["status", "date_decided", "checkout_reference", "date_reminded"])
        audit_record(
            actor=user,
            acting_for=acting_for,
            action=f"requisition.decide.{decision.value}",
            obj=requisition,
            ip=ip,
            requisition=requisition,
            before={"status": before["status"]},
            after={
                "status": requisition.status,
                "step": step.position,
                "role": step.role,
                "round": requisition.round,
                "decision": decision.value,
                "comment": comment,
                "orders": [o.number for o in orders],
            },
        )
        event = {
            RequisitionStatus.APPROVED: "approved",
            RequisitionStatus.REJECTED: "rejected",
            RequisitionStatus.RETURNED: "returned",
        }.get(requisition.status, "submitted")
        _notify(requisition.pk, event)
        if event == "submitted":  # a step approved and another waits: the requester hears where it is
            _notify(requisition.pk, "step_approved")
        if orders:
            for order in orders:
                transaction.on_commit(lambda pk=order.pk: order_seller_notify.delay(pk))
    return made
