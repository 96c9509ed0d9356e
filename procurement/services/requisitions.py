"""Writes of a requisition by its requester: submit, revise, reopen into the basket, resubmit, cancel.

Only the requester acts here, each write under the requisition's row lock,
its status moved only as procurement.statuses.TRANSITIONS allows, and its
audit entry appended last. A cancellation after approval cancels the seller
orders (while every one is still new) and releases the whole commitment.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from uuid import uuid4

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from orders.services import OrderStatusError, order_status_change
from orders.statuses import OrderStatus, Party
from peken import locks
from procurement.audit import audit_record
from procurement.models import Agency, BudgetCommitment, BudgetLine, Membership, Requisition, RequisitionLine
from procurement.services._common import (
    ApprovalRefused,
    ProcurementError,
    RequisitionStateError,
    _locked,
    _move,
    _notify,
    _person,
    _requisition_values,
    phone_e164,
)
from procurement.services.budgets import _commitment_reduce
from procurement.services.submission import (
    _available_check,
    _basket_freeze,
    _budget_line_check,
    _lines_values,
    _needed_by_check,
    _seller_cap_check,
    _submission_check,
)
from procurement.statuses import CommitmentStatus, RequisitionStatus, Role

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")


def requisition_submit_from_basket(
    *,
    user: AbstractBaseUser,
    agency: Agency,
    basket,
    budget_line: BudgetLine,
    kode_rup: str,
    purpose: str,
    delivery_address: str,
    needed_by: date,
    contact_name: str = "",
    contact_phone: str = "",
    unit=None,
    ip: str | None = None,
) -> Requisition:
    """Turn an official basket into a submitted requisition, prices frozen per seller.

    The user must hold the requester role in ``agency``; the budget line must be
    the agency's, of the current fiscal year, with the total available; no
    seller may pass the official cap with its share. The agency must have an
    approval policy. The basket is submitted (emptied) and the approvers of
    the first step are emailed after commit. The contact person defaults to
    the requester; the phone is stored as E.164. Raises ProcurementError (or
    its BudgetExceeded) with a message for the requester.
    """
    if not Membership.objects.filter(user=user, agency=agency, role=Role.REQUESTER).exists():
        raise ApprovalRefused(_("Anda bukan pemohon di %(agency)s.") % {"agency": agency.name})
    contact_phone, lines = _submission_check(
        agency=agency,
        budget_line=budget_line,
        needed_by=needed_by,
        purpose=purpose,
        delivery_address=delivery_address,
        contact_phone=contact_phone,
        basket=basket,
    )
    contact_name = contact_name.strip() or _person(user)
    if unit is None:
        membership = Membership.objects.filter(user=user, agency=agency, role=Role.REQUESTER).first()
        unit = membership.unit if membership else None
    with transaction.atomic():
        frozen, total = _basket_freeze(agency=agency, basket=basket, lines=lines, budget_line=budget_line)
        now = timezone.now()
        requisition = Requisition.objects.create(
            reference=f"tmp-{uuid4().hex[:28]}",
            agency=agency,
            unit=unit,
            requester=user,
            budget_line=budget_line,
            kode_rup=kode_rup.strip(),
            purpose=purpose.strip(),
            delivery_address=delivery_address.strip(),
            needed_by=needed_by,
            contact_name=contact_name[:150],
            contact_phone=contact_phone,
            status=RequisitionStatus.SUBMITTED,
            total=total,
            round=1,
            date_submitted=now,
        )
        requisition.reference = f"RQ-{now.year}-{requisition.pk:06d}"
        requisition.save(update_fields=["reference"])
        for line in frozen:
            line.requisition = requisition
        RequisitionLine.objects.bulk_create(frozen)
        basket.submit()
        audit_record(
            actor=user,
            action="requisition.submit",
            obj=requisition,
            ip=ip,
            requisition=requisition,
            after=_requisition_values(requisition) | {"reference": requisition.reference},
        )
        _notify(requisition.pk, "submitted")
    return requisition


def requisition_submit_from_lines(
    *, user: AbstractBaseUser, agency: Agency, lines: list[tuple[int, int]], **submission
) -> Requisition:
    """Put ``lines`` ((stock record id, quantity)) in a new official basket of ``user`` and submit it.

    For a system without the site's basket (the API). Each line goes in as on the product page,
    through Oscar's add-to-basket form and the pages' pricing strategy: the stock record must be
    the one its product is sold from, with a price, on sale, the quantity within the minimum
    order and the stock. Then requisition_submit_from_basket checks and submits it. All in one
    transaction, so a refusal leaves no open basket behind (Oscar would merge it into the
    person's own basket on their next visit). Raises ProcurementError (or its subclasses)
    with a message for the requester.
    """
    AddToBasketForm = get_class("basket.forms", "AddToBasketForm")
    wanted: dict[int, int] = {}
    for stockrecord_id, quantity in lines:  # a stock record named twice is one line, as in a basket
        wanted[stockrecord_id] = wanted.get(stockrecord_id, 0) + quantity
    if not wanted:
        raise ProcurementError(_("Keranjang kosong."))
    records = StockRecord.objects.select_related("product").in_bulk(list(wanted))
    with transaction.atomic():
        basket = Basket.objects.create(owner=user)
        basket.strategy = get_class("partner.strategy", "Selector")().strategy(user=user)
        for stockrecord_id, quantity in wanted.items():
            record = records.get(stockrecord_id)
            info = basket.strategy.fetch_for_product(record.product) if record else None
            if info is None or info.stockrecord is None or info.stockrecord.pk != stockrecord_id:
                raise ProcurementError(
                    _("Penawaran %(id)s tidak ada atau tidak dijual.") % {"id": stockrecord_id}
                )
            form = AddToBasketForm(basket, record.product, data={"quantity": quantity})
            if not form.is_valid():
                problem = next(iter(form.errors.values()))[0]
                raise ProcurementError(f"{record.product.get_title()}: {problem}")
            basket.add_product(form.product, quantity, form.cleaned_options())
        return requisition_submit_from_basket(user=user, agency=agency, basket=basket, **submission)


def requisition_revise(
    *,
    requisition: Requisition,
    user: AbstractBaseUser,
    purpose: str | None = None,
    kode_rup: str | None = None,
    delivery_address: str | None = None,
    needed_by: date | None = None,
    budget_line: BudgetLine | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    quantities: dict[int, int] | None = None,
    ip: str | None = None,
) -> Requisition:
    """Change a returned requisition before it is resubmitted; only its requester may.

    ``quantities`` maps RequisitionLine ids to new quantities (0 removes the
    line; at least one line must remain). The total is recomputed at the
    frozen prices; resubmission freezes current prices again. Raises
    RequisitionStateError unless RETURNED, ApprovalRefused for anyone else.
    """
    with transaction.atomic():
        requisition = _locked(requisition)
        if requisition.requester_id != user.pk:
            raise ApprovalRefused(_("Hanya pemohon yang dapat merevisi permintaan ini."))
        if requisition.status != RequisitionStatus.RETURNED:
            raise RequisitionStateError(_("Permintaan hanya bisa direvisi setelah dikembalikan."))
        before = _requisition_values(requisition)
        if budget_line is not None:
            _budget_line_check(agency=requisition.agency, budget_line=budget_line)
            requisition.budget_line = budget_line
        if needed_by is not None:
            _needed_by_check(needed_by)
            requisition.needed_by = needed_by
        for field, value in (
            ("purpose", purpose),
            ("kode_rup", kode_rup),
            ("delivery_address", delivery_address),
        ):
            if value is not None:
                if field != "kode_rup" and not value.strip():
                    raise ProcurementError(_("Isi keperluan dan alamat pengiriman."))
                setattr(requisition, field, value.strip())
        if contact_name is not None:
            requisition.contact_name = contact_name.strip()[:150] or _person(user)
        if contact_phone is not None:
            requisition.contact_phone = phone_e164(contact_phone)
        lines = list(requisition.lines.order_by("pk"))
        changed_lines = {}
        if quantities:
            keep, drop = [], []
            for line in lines:
                wanted = quantities.get(line.pk, line.quantity)
                if wanted < 0:
                    raise ProcurementError(_("Jumlah tidak boleh negatif."))
                if wanted != line.quantity:
                    changed_lines[str(line.pk)] = [line.quantity, wanted]
                (drop if wanted == 0 else keep).append(line)
                line.quantity = wanted
            if not keep:
                raise ProcurementError(_("Sisakan paling sedikit satu barang, atau batalkan permintaan."))
            RequisitionLine.objects.filter(pk__in=[line.pk for line in drop]).delete()
            RequisitionLine.objects.bulk_update(keep, ["quantity"])
            lines = keep
        requisition.total = sum((line.line_total for line in lines), Decimal(0))
        requisition.save()
        after = _requisition_values(requisition)
        changes_before = {k: v for k, v in before.items() if after[k] != v}
        changes_after = {k: after[k] for k in changes_before} | (
            {"lines": changed_lines} if changed_lines else {}
        )
        audit_record(
            actor=user,
            action="requisition.revise",
            obj=requisition,
            before=changes_before,
            after=changes_after,
            ip=ip,
            requisition=requisition,
        )
    return requisition


def requisition_resubmit(
    *, requisition: Requisition, user: AbstractBaseUser, ip: str | None = None
) -> Requisition:
    """Send a returned requisition back for approval as a new round, at today's prices.

    Prices are frozen again from each line's stock record (a line whose
    listing is gone is refused), the total re-checked against the budget line
    and the seller cap, and the first step's approvers emailed. Raises
    RequisitionStateError unless RETURNED, ApprovalRefused for anyone but the
    requester, BudgetExceeded when the money is no longer there.
    """
    with transaction.atomic():
        requisition = _locked(requisition)
        if requisition.requester_id != user.pk:
            raise ApprovalRefused(_("Hanya pemohon yang dapat mengajukan ulang permintaan ini."))
        before = _requisition_values(requisition)
        if requisition.status != RequisitionStatus.RETURNED:
            raise RequisitionStateError(_("Hanya permintaan yang dikembalikan yang bisa diajukan ulang."))
        _move(requisition, RequisitionStatus.SUBMITTED)
        _budget_line_check(agency=requisition.agency, budget_line=requisition.budget_line)
        lines = list(requisition.lines.select_related("stockrecord__partner").order_by("pk"))
        shares, sellers = defaultdict(Decimal), {}
        for line in lines:
            if line.stockrecord is None or line.stockrecord.price is None:
                raise ProcurementError(
                    _("%(title)s tidak dijual lagi; hapus dari permintaan.") % {"title": line.title}
                )
            line.unit_price = line.stockrecord.price
            shares[line.seller_id] += line.line_total
            sellers[line.seller_id] = line.stockrecord.partner
        RequisitionLine.objects.bulk_update(lines, ["unit_price"])
        requisition.total = sum(shares.values(), Decimal(0))
        _available_check(budget_line=requisition.budget_line, total=requisition.total)
        _seller_cap_check(shares=shares, sellers=sellers)
        requisition.round += 1
        requisition.date_submitted = timezone.now()
        requisition.date_reminded = None
        requisition.save()
        audit_record(
            actor=user,
            action="requisition.resubmit",
            obj=requisition,
            ip=ip,
            requisition=requisition,
            before=before,
            after=_requisition_values(requisition),
        )
        _notify(requisition.pk, "submitted")
    return requisition


def requisition_basket_reopen(
    *, requisition: Requisition, user: AbstractBaseUser, basket, ip: str | None = None
) -> list[str]:
    """Put a returned requisition's lines back into its requester's empty official basket.

    There the requester adds, removes and replaces goods as in any basket,
    then resubmits them under the same number with requisition_resubmit_from_basket;
    until then the requisition stays returned as it was. Lines whose product
    is no longer on sale are left out; their titles are returned. Raises
    ApprovalRefused for anyone but the requester, RequisitionStateError unless
    RETURNED, ProcurementError when the basket already holds goods.
    """
    with transaction.atomic():
        requisition = _locked(requisition)
        if requisition.requester_id != user.pk:
            raise ApprovalRefused(_("Hanya pemohon yang dapat merevisi permintaan ini."))
        if requisition.status != RequisitionStatus.RETURNED:
            raise RequisitionStateError(_("Permintaan hanya bisa direvisi setelah dikembalikan."))
        if basket.num_lines:
            raise ProcurementError(
                _("Keranjang Anda masih berisi barang. Ajukan atau kosongkan dulu, lalu revisi %(ref)s.")
                % {"ref": requisition.reference}
            )
        lines = list(requisition.lines.select_related("product", "stockrecord").order_by("pk"))
        missing = []
        for line in lines:
            if line.product is None or line.stockrecord is None or not line.product.listing_on_sale:
                missing.append(line.title)
                continue
            basket.add_product(line.product, line.quantity)
        audit_record(
            actor=user,
            action="requisition.reopen",
            obj=requisition,
            ip=ip,
            requisition=requisition,
            after={"basket": basket.pk, "lines": _lines_values(lines), "left_out": missing},
        )
    return missing


def requisition_resubmit_from_basket(
    *,
    requisition: Requisition,
    user: AbstractBaseUser,
    basket,
    budget_line: BudgetLine,
    kode_rup: str,
    purpose: str,
    delivery_address: str,
    needed_by: date,
    contact_name: str = "",
    contact_phone: str = "",
    ip: str | None = None,
) -> Requisition:
    """Replace a returned requisition's lines with the official basket's and submit it as a new round.

    The number, the decisions of earlier rounds and the trail stay; the lines
    are frozen again at today's prices with the same checks as a first
    submission (budget available, seller cap, a policy for the total), the
    basket is submitted and the first step's approvers emailed. The trail
    records the old and new lines. Raises ApprovalRefused for anyone but the
    requester, RequisitionStateError unless RETURNED, ProcurementError (or
    BudgetExceeded) with a message for the requester.
    """
    contact_phone, lines = _submission_check(
        agency=requisition.agency,
        budget_line=budget_line,
        needed_by=needed_by,
        purpose=purpose,
        delivery_address=delivery_address,
        contact_phone=contact_phone,
        basket=basket,
    )
    with transaction.atomic():
        requisition = _locked(requisition)
        if requisition.requester_id != user.pk:
            raise ApprovalRefused(_("Hanya pemohon yang dapat mengajukan ulang permintaan ini."))
        if requisition.status != RequisitionStatus.RETURNED:
            raise RequisitionStateError(_("Hanya permintaan yang dikembalikan yang bisa diajukan ulang."))
        before = _requisition_values(requisition)
        old_lines = _lines_values(requisition.lines.order_by("pk"))
        frozen, total = _basket_freeze(
            agency=requisition.agency, basket=basket, lines=lines, budget_line=budget_line
        )
        _move(requisition, RequisitionStatus.SUBMITTED)
        requisition.budget_line = budget_line
        requisition.kode_rup = kode_rup.strip()
        requisition.purpose = purpose.strip()
        requisition.delivery_address = delivery_address.strip()
        requisition.needed_by = needed_by
        requisition.contact_name = contact_name.strip()[:150] or _person(user)
        requisition.contact_phone = contact_phone
        requisition.total = total
        requisition.round += 1
        requisition.date_submitted = timezone.now()
        requisition.date_reminded = None
        requisition.save()
        requisition.lines.all().delete()
        for line in frozen:
            line.requisition = requisition
        RequisitionLine.objects.bulk_create(frozen)
        basket.submit()
        after = _requisition_values(requisition)
        audit_record(
            actor=user,
            action="requisition.revise",
            obj=requisition,
            ip=ip,
            requisition=requisition,
            before={k: v for k, v in before.items() if after[k] != v} | {"lines": old_lines},
            after={k: after[k] for k in before if after[k] != before[k]} | {"lines": _lines_values(frozen)},
        )
        audit_record(
            actor=user,
            action="requisition.resubmit",
            obj=requisition,
            ip=ip,
            requisition=requisition,
            before=before,
            after=after,
        )
        _notify(requisition.pk, "submitted")
    return requisition


def requisition_cancel(
    *, requisition: Requisition, user: AbstractBaseUser, reason: str, ip: str | None = None
) -> Requisition:
    """The requester withdraws a requisition: before approval, or after it while every order is still new.

    After approval each seller order is cancelled by the system (which puts
    the stock back) and the whole commitment is released. Raises
    ApprovalRefused for anyone but the requester, RequisitionStateError when
    the status or a seller's progress does not allow it, ProcurementError
    without a reason.
    """

    Order = get_model("order", "Order")
    reason = reason.strip()
    if not reason:
        raise ProcurementError(_("Tuliskan alasan pembatalan."))
    with transaction.atomic():
        # any orders are locked before the requisition (peken/locks.py)
        placed = Requisition.objects.filter(pk=requisition.pk).values_list("checkout_reference", flat=True)
        locks.orders_lock(Order.objects.filter(checkout_reference__in=placed).exclude(checkout_reference=""))
        requisition = _locked(requisition)
        if requisition.requester_id != user.pk:
            raise ApprovalRefused(_("Hanya pemohon yang dapat membatalkan permintaan ini."))
        before = _requisition_values(requisition)
        if requisition.status == RequisitionStatus.APPROVED:
            orders = locks.orders_lock(Order.objects.filter(checkout_reference=requisition.reference))
            live = [o for o in orders if o.status not in (OrderStatus.REJECTED, OrderStatus.CANCELLED)]
            if any(o.status != OrderStatus.NEW for o in live):
                raise RequisitionStateError(
                    _("Penjual sudah memproses pesanan; permintaan tidak bisa dibatalkan.")
                )
            # every row the cancellations below lock, taken now in the order of peken/locks.py, so no
            # other lock waits behind the audit chain's lock they take
            stock_ids = [line.stockrecord_id for o in live for line in o.lines.all()]
            locks.stock_records_lock(StockRecord.objects.filter(pk__in=stock_ids))
            locks.budget_lines_lock(BudgetLine.objects.filter(pk=requisition.budget_line_id))
            for order in live:
                try:
                    order_status_change(
                        order=order,
                        actor=user,
                        party=Party.SYSTEM,
                        status=OrderStatus.CANCELLED,
                        reason=_("Permintaan resmi %(ref)s dibatalkan: %(reason)s")
                        % {"ref": requisition.reference, "reason": reason},
                    )
                except OrderStatusError as error:
                    raise RequisitionStateError(str(error)) from error
            _move(requisition, RequisitionStatus.CANCELLED)
            commitment = locks.commitment_lock(
                BudgetCommitment.objects.filter(requisition=requisition, status=CommitmentStatus.LIVE)
            )
            if commitment is not None:
                _commitment_reduce(commitment=commitment, amount=None)
        else:
            _move(requisition, RequisitionStatus.CANCELLED)
        requisition.date_decided = timezone.now()
        requisition.save(update_fields=["status", "date_decided"])
        audit_record(
            actor=user,
            action="requisition.cancel",
            obj=requisition,
            ip=ip,
            requisition=requisition,
            before={"status": before["status"]},
            after={"status": requisition.status, "reason": reason},
        )
        _notify(requisition.pk, "cancelled")
    return requisition
