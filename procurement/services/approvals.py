"""Approval decisions: one person decides the current step of a submitted requisition.

Who may decide is selectors.step_authority, the rule the inbox, the badge and
the candidates list show (role, active delegation, segregation of duties);
this module only explains a refusal. The requisition's row is locked, so one
decision per step wins; the last approval places the official orders
(procurement.services.official_orders) and is retried on a deadlock.
"""

from collections import defaultdict
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.tasks import order_seller_notify
from peken.db import retry_on_conflict
from procurement import selectors
from procurement.audit import audit_record
from procurement.models import ApprovalDecision, ApprovalStep, Delegation, Membership, Requisition
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


def _decided_by(decisions) -> dict[int, set[int]]:
    """user id -> positions that user decided (in their own name or through a delegate), any round."""
    seen: dict[int, set[int]] = defaultdict(set)
    for d in decisions:
        seen[d.actor_id].add(d.position)
        if d.acting_for_id:
            seen[d.acting_for_id].add(d.position)
    return seen


def _barred(*, requisition: Requisition, step: ApprovalStep, decided: dict, user_id: int) -> str | None:
    """Why segregation of duties bars ``user_id`` from ``step``, or None."""
    if user_id == requisition.requester_id:
        return _("Anda (atau orang yang Anda wakili) mengajukan permintaan ini.")
    if decided.get(user_id, set()) - {step.position}:
        return _("Anda (atau orang yang Anda wakili) sudah memutuskan tahap lain permintaan ini.")
    return None


def _authority(*, requisition: Requisition, step: ApprovalStep, user, decisions, today: date):
    """The person ``user`` acts for on ``step`` (None: in their own name); raises ApprovalRefused.

    Whether they may is selectors.step_authority, the rule the inbox shows;
    what follows a refusal only explains it.
    """
    authority = selectors.step_authority(requisition=requisition, user=user)
    if authority.allowed and authority.position == step.position:
        if authority.acting_for_id is None:
            return None
        return get_user_model().objects.get(pk=authority.acting_for_id)
    holds = Membership.objects.filter(user=user, agency=requisition.agency_id, role=step.role).exists()
    delegators = list(
        Delegation.objects.filter(
            agency=requisition.agency_id, delegate=user, role=step.role, start__lte=today, end__gte=today,
            date_revoked__isnull=True, delegator__memberships__agency=requisition.agency_id,
            delegator__memberships__role=step.role,
        ).order_by("pk").values_list("delegator_id", flat=True)
    )
    if not holds and not delegators:
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
    decided = _decided_by(decisions)
    reasons = [_barred(requisition=requisition, step=step, decided=decided, user_id=uid)
               for uid in [user.pk, *([] if holds else delegators)]]
    reason = next((r for r in reasons if r), _("Anda tidak dapat memutuskan tahap ini."))
    raise ApprovalRefused(
        _("Pemisahan tugas: %(reason)s %(who)s")
        % {"reason": reason, "who": _who_else(requisition=requisition, step=step, user=user)}
    )


def _who_else(*, requisition: Requisition, step: ApprovalStep, user) -> str:
    others = [
        (u, f) for u, f in selectors.step_candidates(requisition=requisition, step=step) if u.pk != user.pk
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
