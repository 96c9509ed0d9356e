"""Reads about agencies and their people: who holds which role where, what sellers received."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from peken.money import rupiah_format
from procurement.authority import Authority as Authority
from procurement.authority import decidable_by, delegations_in_force, with_current_step
from procurement.authority import step_authority as step_authority
from procurement.authority import step_candidates as step_candidates
from procurement.context_processors import roles_of
from procurement.models import (
    Agency,
    ApprovalStep,
    AuditEntry,
    BudgetLine,
    Membership,
    Requisition,
    RequisitionLine,
)
from procurement.statuses import APPROVER_ROLES, Decision, RequisitionStatus, Role


def memberships_of(*, user) -> QuerySet:
    """The roles ``user`` holds, with their agencies (empty for anonymous visitors)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("agency", "unit")


def has_role(*, user, role: Role, agency=None) -> bool:
    """Whether ``user`` holds ``role`` in ``agency`` (an auditor's role is city-wide)."""
    if not user.is_authenticated:
        return False
    if role == Role.AUDITOR:
        return Membership.objects.filter(user=user, role=role).exists()
    return Membership.objects.filter(user=user, role=role, agency=agency).exists()


def official_lines_kept() -> QuerySet:
    """Lines of approved requisitions whose seller did not reject (or have cancelled) its order.

    A seller's rejected official order gave its money back, so it does not
    count towards what the seller received.
    """
    dropped = get_model("order", "Order").objects.filter(
        checkout_reference=OuterRef("requisition__reference"),
        seller=OuterRef("seller"),
        status__in=[OrderStatus.REJECTED, OrderStatus.CANCELLED],
    )
    return RequisitionLine.objects.filter(requisition__status=RequisitionStatus.APPROVED).exclude(
        Exists(dropped)
    )


def seller_official_received(*, seller, since) -> Decimal:
    """What ``seller`` has been given by approved official purchases decided since ``since``."""
    line_total = ExpressionWrapper(
        F("unit_price") * F("quantity"), output_field=DecimalField(max_digits=15, decimal_places=0)
    )
    total = (
        official_lines_kept()
        .filter(
            seller=seller,
            requisition__status=RequisitionStatus.APPROVED,
            requisition__date_decided__gte=since,
        )
        .aggregate(total=Sum(line_total))
    )
    return total["total"] or Decimal(0)


# --- Seller cap for official purchases ---


def seller_cap_since():
    """Start of the period the official seller cap counts over (PEKEN_OFFICIAL_SELLER_CAP_DAYS back)."""
    return timezone.now() - timedelta(days=settings.PEKEN_OFFICIAL_SELLER_CAP_DAYS)


def seller_cap_message() -> str:
    """What a page says where a seller has reached the official cap."""
    return _("Tidak tersedia untuk belanja dinas: penjual sudah mencapai batas %(cap)s") % {
        "cap": rupiah_format(settings.PEKEN_OFFICIAL_SELLER_CAP)
    }


def seller_cap_status(*, seller) -> tuple[bool, Decimal]:
    """Whether ``seller`` has reached the official-purchase cap, and what it received in the period.

    The rule (E-Peken's fair share): a seller who received at least
    PEKEN_OFFICIAL_SELLER_CAP rupiah from approved official purchases in the
    last PEKEN_OFFICIAL_SELLER_CAP_DAYS days is not offered in official mode.
    """
    received = seller_official_received(seller=seller, since=seller_cap_since())
    return received >= Decimal(settings.PEKEN_OFFICIAL_SELLER_CAP), received


def sellers_at_cap(*, seller_ids) -> set[int]:
    """The ids among ``seller_ids`` of sellers at the official-purchase cap, in one query."""
    seller_ids = list(seller_ids)
    if not seller_ids:
        return set()
    line_total = ExpressionWrapper(
        F("unit_price") * F("quantity"), output_field=DecimalField(max_digits=15, decimal_places=0)
    )
    rows = (
        official_lines_kept()
        .filter(
            seller_id__in=seller_ids,
            requisition__status=RequisitionStatus.APPROVED,
            requisition__date_decided__gte=seller_cap_since(),
        )
        .values("seller_id")
        .annotate(total=Sum(line_total))
        .filter(total__gte=Decimal(settings.PEKEN_OFFICIAL_SELLER_CAP))
        .values_list("seller_id", flat=True)
    )
    return set(rows)


# --- Approvals: steps, who can act, inboxes, split-purchase warnings ---


def requisition_steps_for(*, agency, total) -> list:
    """The agency's approval steps whose amount range holds ``total``, in order."""
    return list(
        ApprovalStep.objects.filter(agency=agency, min_amount__lt=total)
        .filter(Q(max_amount__isnull=True) | Q(max_amount__gte=total))
        .order_by("position")
    )


def requisition_steps(*, requisition) -> list:
    """The approval steps ``requisition`` needs, in order (its agency's policy at its total)."""
    return requisition_steps_for(agency=requisition.agency_id, total=requisition.total)


def requisition_current_step(*, requisition, steps=None, decisions=None):
    """The first needed step without an approval in the current round, or None (none left / not waiting)."""
    if requisition.status != RequisitionStatus.SUBMITTED:
        return None
    steps = requisition_steps(requisition=requisition) if steps is None else steps
    decisions = requisition.decisions.all() if decisions is None else decisions
    approved = {
        d.position for d in decisions if d.round == requisition.round and d.decision == Decision.APPROVE
    }
    return next((step for step in steps if step.position not in approved), None)


def approver_inbox(*, user) -> QuerySet:
    """Submitted requisitions whose current step ``user`` may decide, in their name or as a delegate.

    The rule is procurement.authority's, the one the decision itself asks, so
    nothing shows here that the decision would refuse. Oldest first; one
    query however many rows, with agency, requester and budget line joined.
    """
    if not user.is_authenticated:
        return Requisition.objects.none()
    return (
        decidable_by(
            with_current_step(Requisition.objects.filter(status=RequisitionStatus.SUBMITTED)), user_id=user.pk
        )
        .select_related("agency", "requester", "budget_line", "unit")
        .order_by("date_submitted", "pk")
    )


def approver_inbox_count(*, user) -> int:
    """How many requisitions wait for ``user`` (one query); for the header badge."""
    if not user.is_authenticated:
        return 0
    return approver_inbox(user=user).count()


def approver_agency_ids(*, user) -> set[int]:
    """Agencies where ``user`` holds an approver role or acts for someone who does today."""
    ids = {agency_id for agency_id, _name, role in roles_of(user) if role in APPROVER_ROLES and agency_id}
    today = timezone.localdate()
    ids |= set(delegations_in_force(today).filter(delegate=user).values_list("agency_id", flat=True))
    return ids


def requester_agencies(*, user) -> dict[int, str]:
    """The agencies ``user`` may buy for (holds the requester role in), id -> name.

    The mode switch's rule and the API's submission's: buying for any other agency is refused.
    """
    return {agency_id: name for agency_id, name, role in roles_of(user) if role == Role.REQUESTER}


def requisition_of_requester(*, user, reference: str) -> Requisition | None:
    """``reference`` if ``user`` requested it: the only person who revises, resubmits or cancels it."""
    if not user.is_authenticated:
        return None
    return (
        Requisition.objects.select_related("agency", "budget_line", "unit")
        .filter(reference=reference, requester=user)
        .first()
    )


def requisition_of_approver(*, user, reference: str) -> Requisition | None:
    """``reference`` if its agency is one where ``user`` approves or acts as a delegate today.

    Whether they may decide its current step is procurement.authority's, asked by the decision.
    """
    if not user.is_authenticated:
        return None
    requisition = (
        Requisition.objects.select_related("agency", "budget_line", "unit", "requester")
        .filter(reference=reference)
        .first()
    )
    if requisition is None or requisition.agency_id not in approver_agency_ids(user=user):
        return None
    return requisition


def requisition_readable(*, user, requisition: Requisition) -> bool:
    """Whether ``user`` may read ``requisition``: its requester, or an approver (or active delegate)
    of its agency."""
    if not user.is_authenticated:
        return False
    return requisition.requester_id == user.pk or requisition.agency_id in approver_agency_ids(user=user)


def requester_requisitions(*, user) -> QuerySet:
    """The requisitions ``user`` requested, newest first, with where each stands (current step's role)."""
    return (
        with_current_step(Requisition.objects.filter(requester=user))
        .select_related("agency", "budget_line", "unit")
        .order_by("-date_created", "-pk")
    )


def requisitions_waiting_since() -> list[tuple]:
    """(id, last activity) of every submitted requisition: submission or last decision, whichever is later."""
    rows = (
        Requisition.objects.filter(status=RequisitionStatus.SUBMITTED)
        .annotate(
            last=Greatest(F("date_submitted"), Coalesce(Max("decisions__date_created"), F("date_submitted")))
        )
        .values_list("pk", "last")
        .order_by("pk")
    )
    return list(rows)


def split_purchase_shares(*, requisition) -> dict[int, list[Decimal]]:
    """Per seller of ``requisition``: its share in this and the agency's other recent requisitions.

    The other requisitions are those submitted or approved in the last PEKEN_SPLIT_WINDOW_DAYS
    days; the shares are in requisition order, this one's included. One query.
    """
    since = timezone.now() - timedelta(days=settings.PEKEN_SPLIT_WINDOW_DAYS)
    line_total = ExpressionWrapper(
        F("unit_price") * F("quantity"), output_field=DecimalField(max_digits=15, decimal_places=0)
    )
    seller_ids = requisition.lines.values("seller_id")
    rows = (
        RequisitionLine.objects.filter(seller_id__in=seller_ids, requisition__agency_id=requisition.agency_id)
        .filter(
            Q(requisition=requisition)
            | Q(
                requisition__status__in=[RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED],
                requisition__date_submitted__gte=since,
            )
        )
        .values("seller_id", "requisition_id")
        .annotate(share=Sum(line_total))
        .order_by("seller_id", "requisition_id")
    )
    shares: dict[int, list[Decimal]] = {}
    for row in rows:
        shares.setdefault(row["seller_id"], []).append(row["share"])
    return shares


def split_purchase_bands(shares: list[Decimal]) -> list[int]:
    """The value bands (PEKEN_VALUE_BANDS) that these purchases pass together but each stays within."""
    if len(shares) < 2:
        return []
    total, largest = sum(shares, Decimal(0)), max(shares)
    return [band for band in sorted(settings.PEKEN_VALUE_BANDS) if largest <= band < total]


def split_purchase_warnings(*, requisition) -> list[str]:
    """Warnings when this agency's purchases from one seller look split to stay under a value band.

    One warning per seller and band that the seller's recent purchases
    (split_purchase_shares) pass together while each one alone stays within.
    """
    names = dict(requisition.lines.values_list("seller_id", "seller__name"))
    warnings = []
    for seller_id, shares in sorted(
        split_purchase_shares(requisition=requisition).items(), key=lambda i: names[i[0]]
    ):
        for band in split_purchase_bands(shares):
            warnings.append(
                _(
                    "Kemungkinan pemecahan paket: %(count)d permintaan OPD ini ke %(seller)s dalam "
                    "%(days)d hari berjumlah %(total)s, melewati batas %(band)s, padahal masing-masing "
                    "di bawahnya."
                )
                % {
                    "count": len(shares),
                    "seller": names[seller_id],
                    "days": settings.PEKEN_SPLIT_WINDOW_DAYS,
                    "total": rupiah_format(sum(shares, Decimal(0))),
                    "band": rupiah_format(band),
                }
            )
    return warnings


# --- Agency admin pages: agencies, members, budget lines ---

# Who may read an agency's budget lines and approval policy: its admin, its budget
# holder (PA/KPA owns the budget and sets who approves what) and its treasurer.
BUDGET_READERS = frozenset({Role.AGENCY_ADMIN, Role.BUDGET_HOLDER, Role.TREASURER})


def agencies_budget_readable(*, user) -> QuerySet:
    """The agencies whose budget and policy ``user`` may read (BUDGET_READERS)."""
    if not user.is_authenticated:
        return Agency.objects.none()
    return (
        Agency.objects.filter(memberships__user=user, memberships__role__in=BUDGET_READERS)
        .distinct()
        .order_by("name")
    )


def agency_roles_of(*, user, agency) -> set[str]:
    """The roles ``user`` holds in ``agency`` (one query)."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))


def agency_roles_allowed(*, user, agency, allowed: frozenset) -> set[str] | None:
    """The roles ``user`` holds in ``agency`` when one of them is in ``allowed``, else None (refused).

    The gate of the agency's admin pages and of the API's budget endpoints (one query).
    """
    roles = agency_roles_of(user=user, agency=agency)
    return roles if roles & allowed else None


def agencies_administered(*, user) -> QuerySet:
    """The agencies in which ``user`` holds the agency admin role."""
    if not user.is_authenticated:
        return Agency.objects.none()
    return Agency.objects.filter(memberships__user=user, memberships__role=Role.AGENCY_ADMIN).order_by("name")


def agency_members(*, agency) -> QuerySet:
    """Every role held in ``agency``, with its person and unit, grouped by person (one query)."""
    return (
        Membership.objects.filter(agency=agency)
        .select_related("user", "unit")
        .order_by("user__first_name", "user__last_name", "user__email", "user_id", "role")
    )


def agency_budget_years(*, agency) -> list[int]:
    """The fiscal years ``agency`` has budget lines for, newest first, always including this year."""
    years = set(
        BudgetLine.objects.filter(agency=agency).order_by().values_list("fiscal_year", flat=True).distinct()
    )
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def agency_budget_import_years(*, agency) -> list[int]:
    """The fiscal years a budget CSV may be imported for: those ``agency`` has lines for, and next year."""
    this_year = timezone.localdate().year
    return sorted({*agency_budget_years(agency=agency), this_year + 1}, reverse=True)


def agency_budget_lines(*, agency, fiscal_year: int) -> QuerySet:
    """``agency``'s budget lines of one year, by sub-activity then kode rekening."""
    return BudgetLine.objects.filter(agency=agency, fiscal_year=fiscal_year).order_by(
        "sub_activity", "account_code", "pk"
    )


def agency_budget_totals(*, agency, fiscal_year: int) -> dict[str, Decimal]:
    """Ceiling, committed, realised and available of all ``agency``'s lines of one year (one query)."""
    sums = BudgetLine.objects.filter(agency=agency, fiscal_year=fiscal_year).aggregate(
        ceiling=Sum("ceiling"), committed=Sum("committed"), realised=Sum("realised")
    )
    totals = {name: value or Decimal(0) for name, value in sums.items()}
    totals["available"] = totals["ceiling"] - totals["committed"] - totals["realised"]
    return totals


# --- audit: who may read which agency's trail, and what it holds ---

AUDIT_AGENCY_ROLES = frozenset({Role.BUDGET_HOLDER, Role.AGENCY_ADMIN})


def audit_scope(*, user) -> frozenset[int] | None:
    """The agencies whose requisition histories ``user`` may read: None means every agency.

    An auditor (city-wide) reads all; a PA/KPA or agency admin reads their own
    agency's, since they answer for its budget and its people; anyone else none.
    """
    if not user.is_authenticated:
        return frozenset()
    roles = roles_of(user)
    if any(role == Role.AUDITOR for _agency, _name, role in roles):
        return None
    return frozenset(agency for agency, _name, role in roles if agency and role in AUDIT_AGENCY_ROLES)


def audit_requisitions(
    *, agency_ids: frozenset[int] | None, agency_id: int | None = None, status: str = "", reference: str = ""
) -> QuerySet:
    """Requisitions in ``agency_ids`` (None: all), newest first, with agency, requester and entry count."""
    requisitions = Requisition.objects.select_related("agency", "requester")
    if agency_ids is not None:
        requisitions = requisitions.filter(agency_id__in=agency_ids)
    if agency_id:
        requisitions = requisitions.filter(agency_id=agency_id)
    if status:
        requisitions = requisitions.filter(status=status)
    if reference:
        requisitions = requisitions.filter(reference__icontains=reference)
    return requisitions.annotate(entry_count=Count("audit_entries")).order_by("-date_created", "-pk")


def requisition_trail(*, requisition) -> list:
    """Every audit entry recorded for ``requisition``, oldest first, with who did it (one query)."""
    return list(
        requisition.audit_entries.select_related("actor", "acting_for", "requisition").order_by("seq")
    )


def audit_entries(*, object_type: str = "", action: str = "", person: str = "") -> QuerySet:
    """The whole audit trail newest first, optionally one kind of object, one action, or one person's."""
    entries = AuditEntry.objects.select_related("actor", "acting_for", "requisition")
    if object_type:
        entries = entries.filter(object_type=object_type)
    if action:
        entries = entries.filter(action=action)
    if person:
        entries = entries.filter(
            Q(actor__email__icontains=person)
            | Q(acting_for__email__icontains=person)
            | Q(actor__first_name__icontains=person)
            | Q(actor__last_name__icontains=person)
        )
    return entries.order_by("-seq")


def agency_policy(*, agency) -> list[tuple]:
    """``agency``'s approval steps in order, each with the people holding its role (two queries)."""
    holders: dict[str, list] = {}
    for membership in agency_members(agency=agency).filter(role__in=APPROVER_ROLES):
        holders.setdefault(membership.role, []).append(membership.user)
    steps = ApprovalStep.objects.filter(agency=agency).order_by("position")
    return [(step, holders.get(step.role, [])) for step in steps]


def agency_overview(*, agency, fiscal_year: int) -> dict:
    """The agency page's figures: people with a role, units, the year's lines and totals, policy steps."""
    return {
        "people": Membership.objects.filter(agency=agency).aggregate(n=Count("user", distinct=True))["n"],
        "units": list(agency.units.order_by("name")),
        "line_count": agency_budget_lines(agency=agency, fiscal_year=fiscal_year).count(),
        "totals": agency_budget_totals(agency=agency, fiscal_year=fiscal_year),
        "step_count": ApprovalStep.objects.filter(agency=agency).count(),
    }
