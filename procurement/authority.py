"""Who may decide a requisition's current step: the one rule, and why it refuses someone.

A person decides in their own name when they hold the step's role in the
agency, or for a delegator through an active delegation of that role from
someone who still holds it. Segregation of duties bars both: nobody decides
what they (or the person they act for) requested, nor a step other than one
they decided before in any round. authority_annotations states the rule in
SQL; the inbox and header badge (procurement.selectors), the candidates list,
the decision page and the decision itself (procurement.services.approvals)
all ask it, so they agree. step_refusal only words a refusal already made.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import ApprovalDecision, ApprovalStep, Delegation, Membership, Requisition
from procurement.statuses import Decision, RequisitionStatus


def delegations_in_force(today: date) -> QuerySet:
    """Delegations that count on ``today``: from their first to their last day, unless revoked."""
    return Delegation.objects.filter(start__lte=today, end__gte=today, date_revoked__isnull=True)


def with_current_step(queryset: QuerySet) -> QuerySet:
    """Annotate each requisition with the position and role of its current step (one SQL statement)."""
    approved = ApprovalDecision.objects.filter(
        requisition=OuterRef(OuterRef("pk")), round=OuterRef(OuterRef("round")), decision=Decision.APPROVE
    ).values("position")
    pending = (
        ApprovalStep.objects.filter(agency=OuterRef("agency"), min_amount__lt=OuterRef("total"))
        .filter(Q(max_amount__isnull=True) | Q(max_amount__gte=OuterRef("total")))
        .exclude(position__in=approved)
        .order_by("position")
    )
    return queryset.annotate(
        current_position=Subquery(pending.values("position")[:1]),
        current_role=Subquery(pending.values("role")[:1]),
    )


def authority_annotations(*, user_id: int) -> dict:
    """The one rule of who may decide a requisition's current step, as two SQL annotations.

    On a queryset annotated by with_current_step, ``holds_{user_id}`` is true
    when the person may decide in their own name (they hold the step's role in
    the agency), ``for_{user_id}`` the delegator they may decide for (an active
    delegation of that role from someone who still holds it, and they hold it
    not themselves). Segregation of duties bars both: nobody decides what they
    or the person they act for requested, nor a step other than one they (or
    that person) decided before in any round. The inbox, the header badge, the
    candidates list, the decision and its page all read these, so they agree.
    """
    today = timezone.localdate()
    holds = Membership.objects.filter(
        user_id=user_id, agency=OuterRef("agency"), role=OuterRef("current_role")
    )
    decided_other = (
        ApprovalDecision.objects.filter(requisition=OuterRef("pk"))
        .filter(Q(actor_id=user_id) | Q(acting_for_id=user_id))
        .exclude(position=OuterRef("current_position"))
    )
    barred = Q(requester_id=user_id) | Q(Exists(decided_other))
    delegator_holds = Membership.objects.filter(
        user=OuterRef("delegator_id"), agency=OuterRef("agency_id"), role=OuterRef("role")
    )
    delegator_decided_other = (
        ApprovalDecision.objects.filter(requisition=OuterRef(OuterRef("pk")))
        .filter(Q(actor=OuterRef("delegator_id")) | Q(acting_for=OuterRef("delegator_id")))
        .exclude(position=OuterRef(OuterRef("current_position")))
    )
    delegation = (
        delegations_in_force(today)
        .filter(
            delegate_id=user_id,
            agency=OuterRef("agency"),
            role=OuterRef("current_role"),
        )
        .filter(Exists(delegator_holds))
        .exclude(delegator=OuterRef("requester"))
        .exclude(Exists(delegator_decided_other))
        .order_by("pk")
        .values("delegator_id")[:1]
    )
    return {
        f"holds_{user_id}": Case(
            When(Q(Exists(holds)) & ~barred, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        f"for_{user_id}": Case(
            When(Q(Exists(holds)) | barred, then=Value(None)),
            default=Subquery(delegation),
            output_field=IntegerField(),
        ),
    }


def decidable_by(queryset: QuerySet, *, user_id: int) -> QuerySet:
    """``queryset`` (annotated by with_current_step) narrowed to what ``user_id`` may decide now.

    Both ways of deciding need the person to hold a role in the requisition's agency or an active
    delegation there, so the rule is asked only of those agencies' requisitions (an index, not
    every requisition waiting in the city).
    """
    today = timezone.localdate()
    own = Membership.objects.filter(user_id=user_id, agency__isnull=False).values("agency_id")
    delegated = delegations_in_force(today).filter(delegate_id=user_id).values("agency_id")
    queryset = queryset.filter(Q(agency_id__in=own) | Q(agency_id__in=delegated))
    return queryset.annotate(**authority_annotations(user_id=user_id)).filter(
        Q(**{f"holds_{user_id}": True}) | Q(**{f"for_{user_id}__isnull": False})
    )


@dataclass(frozen=True)
class Authority:
    """Whether a person may decide a requisition's current step, and for whom (None: in their own name)."""

    allowed: bool
    acting_for_id: int | None = None
    position: int | None = None


def step_authority(*, requisition, user) -> Authority:
    """May ``user`` decide ``requisition``'s current step now, and for whom (one query)."""
    if not user.is_authenticated:
        return Authority(False)
    waiting = Requisition.objects.filter(pk=requisition.pk, status=RequisitionStatus.SUBMITTED)
    row = (
        with_current_step(waiting)
        .annotate(**authority_annotations(user_id=user.pk))
        .values("current_position", f"holds_{user.pk}", f"for_{user.pk}")
        .first()
    )
    if row is None or row["current_position"] is None:
        return Authority(False)
    holds, acting_for = row[f"holds_{user.pk}"], row[f"for_{user.pk}"]
    return Authority(holds or acting_for is not None, None if holds else acting_for, row["current_position"])


def step_candidates(*, requisition, step) -> list:
    """Who may decide ``step`` now, as (user, acting_for or None), segregation of duties applied.

    Holders of the step's role in the agency act in their own name; delegates
    of an active delegation from a holder act for the delegator. The people
    who might are read in two queries, and the rule (authority_annotations)
    is asked for all of them in a third.
    """
    today = timezone.localdate()
    holder_ids = set(
        Membership.objects.filter(agency=requisition.agency_id, role=step.role).values_list(
            "user_id", flat=True
        )
    )
    delegate_ids = set(
        delegations_in_force(today)
        .filter(
            agency=requisition.agency_id,
            role=step.role,
            delegator_id__in=holder_ids,
        )
        .values_list("delegate_id", flat=True)
    )
    people = sorted(holder_ids | delegate_ids)
    if not people:
        return []
    rows = with_current_step(Requisition.objects.filter(pk=requisition.pk))
    for uid in people:
        rows = rows.annotate(**authority_annotations(user_id=uid))
    row = rows.values(
        "current_position", *[f"holds_{uid}" for uid in people], *[f"for_{uid}" for uid in people]
    ).first()
    if row is None or row["current_position"] != step.position:
        return []
    users = get_user_model().objects.in_bulk([*people, *{row[f"for_{uid}"] for uid in people} - {None}])
    result = [(users[uid], None) for uid in people if row[f"holds_{uid}"]]
    result += [(users[uid], users[row[f"for_{uid}"]]) for uid in people if row[f"for_{uid}"] is not None]
    return result


def _decided_by(decisions) -> dict[int, set[int]]:
    """user id -> positions that user decided (in their own name or through a delegate), any round."""
    seen: dict[int, set[int]] = defaultdict(set)
    for d in decisions:
        seen[d.actor_id].add(d.position)
        if d.acting_for_id:
            seen[d.acting_for_id].add(d.position)
    return seen


def _barred(*, requisition, step, decided: dict, user_id: int) -> str | None:
    """Why segregation of duties bars ``user_id`` from ``step``, or None."""
    if user_id == requisition.requester_id:
        return _("Anda (atau orang yang Anda wakili) mengajukan permintaan ini.")
    if decided.get(user_id, set()) - {step.position}:
        return _("Anda (atau orang yang Anda wakili) sudah memutuskan tahap lain permintaan ini.")
    return None


def step_refusal(*, requisition, step, user, decisions, today: date) -> str | None:
    """Why the rule refuses ``user`` on ``step``, to explain it: None when they hold neither its role
    nor an active delegation of it, else the segregation of duties reason (for them or whom they act for).
    """
    holds = Membership.objects.filter(user=user, agency=requisition.agency_id, role=step.role).exists()
    delegators = list(
        delegations_in_force(today)
        .filter(
            agency=requisition.agency_id,
            delegate=user,
            role=step.role,
            delegator__memberships__agency=requisition.agency_id,
            delegator__memberships__role=step.role,
        )
        .order_by("pk")
        .values_list("delegator_id", flat=True)
    )
    if not holds and not delegators:
        return None
    decided = _decided_by(decisions)
    reasons = [
        _barred(requisition=requisition, step=step, decided=decided, user_id=uid)
        for uid in [user.pk, *([] if holds else delegators)]
    ]
    return next((r for r in reasons if r), _("Anda tidak dapat memutuskan tahap ini."))
