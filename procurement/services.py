"""Writes of official procurement: requisitions, approvals, budget commitments, delegations.

Every write runs in one transaction that also appends its entry to the audit
chain (procurement.audit.audit_record), called after the rows are locked so
the chain's lock is always taken last. Races (two approvers, fifty final
approvals against one budget line, an approval and a personal checkout of the
same product) are settled by row locks taken in the one order peken/locks.py
names, and backed by the database constraints of procurement.models. A final
approval that still meets a deadlock or serialization failure is run again
(peken.db.retry_on_conflict).

Official orders: on final approval each seller gets one Oscar order with no
user (official buying never shows in a person's own order history), the
requisition's reference as checkout reference, the frozen prices, and
delivery to the requisition's delivery address at no separate charge (the
agency buys delivered goods; a seller who cannot deliver rejects the order,
which releases its amount).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sites.models import Site
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from checkout.services import BasketNotOpen, basket_lock_open
from peken import limits, locks
from peken.db import retry_on_conflict
from peken.imports import ImportJobFailed, Progress, import_job_start
from peken.models import ImportJob, ImportKind
from procurement import budget_csv, selectors
from procurement.audit import audit_record
from procurement.context_processors import roles_forget
from procurement.models import (
    Agency,
    ApprovalDecision,
    ApprovalStep,
    BudgetCommitment,
    BudgetLine,
    Delegation,
    Membership,
    Requisition,
    RequisitionLine,
    Unit,
)
from procurement.statuses import (
    TRANSITIONS,
    CommitmentStatus,
    Decision,
    RequisitionStatus,
    Role,
    commitment_move_allowed,
)


class ProcurementError(Exception):
    """A refused procurement action; the message is for the person acting."""


class ApprovalRefused(ProcurementError):
    """The person may not decide this requisition (role, segregation of duties, delegation)."""


class BudgetExceeded(ProcurementError):
    """The budget line does not have the money available."""


class RequisitionStateError(ProcurementError):
    """The requisition's status does not allow this action."""


OFFICIAL_DELIVERY = "antar-kantor-opd"


def rupiah(amount) -> str:
    """Rp1.500.000: whole rupiah with dot thousands, as DOMAIN.md shows money."""
    return "Rp" + f"{int(amount):,}".replace(",", ".")


def phone_e164(value: str) -> str:
    """An Indonesian phone number as E.164 (0812-3456-7890 -> +6281234567890); "" stays "".

    Raises ProcurementError for anything that is not a valid Indonesian number.
    """
    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException as error:
        raise ProcurementError(_("Nomor telepon tidak dikenali; tulis seperti 0812 3456 7890.")) from error
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "ID":
        raise ProcurementError(_("Nomor telepon Indonesia tidak valid; tulis seperti 0812 3456 7890."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _role_label(role: str) -> str:
    return str(Role(role).label)


def _person(user) -> str:
    return user.get_full_name() or user.email or user.get_username()


def _move(requisition: Requisition, new: str) -> None:
    """Refuse a status move the transition table does not allow."""
    if new not in TRANSITIONS[requisition.status]:
        raise RequisitionStateError(
            _("Permintaan %(ref)s berstatus %(status)s; tindakan ini tidak bisa dilakukan.")
            % {"ref": requisition.reference, "status": requisition.get_status_display()}
        )
    requisition.status = new


def _locked(requisition: Requisition) -> Requisition:
    return Requisition.objects.select_for_update(of=("self",)).select_related("agency").get(pk=requisition.pk)


def _budget_line_check(*, agency: Agency, budget_line: BudgetLine) -> None:
    if budget_line.agency_id != agency.pk:
        raise ProcurementError(_("Mata anggaran ini bukan milik %(agency)s.") % {"agency": agency.name})
    if budget_line.fiscal_year != timezone.localdate().year:
        raise ProcurementError(
            _("Mata anggaran ini untuk tahun anggaran %(year)d, bukan tahun berjalan.")
            % {"year": budget_line.fiscal_year}
        )


def _available_check(*, budget_line: BudgetLine, total: Decimal) -> None:
    budget_line.refresh_from_db(fields=["ceiling", "committed", "realised"])
    if total > budget_line.available:
        raise BudgetExceeded(
            _("Anggaran tidak cukup: tersedia %(available)s pada mata anggaran ini, permintaan %(total)s.")
            % {"available": rupiah(budget_line.available), "total": rupiah(total)}
        )


def _seller_cap_check(*, shares: dict, sellers: dict) -> None:
    """Refuse a seller whose official takings plus this share would pass the cap."""
    cap = Decimal(settings.PEKEN_OFFICIAL_SELLER_CAP)
    since = timezone.now() - timedelta(days=settings.PEKEN_OFFICIAL_SELLER_CAP_DAYS)
    for seller_id, share in shares.items():
        received = selectors.seller_official_received(seller=sellers[seller_id], since=since)
        if received + share > cap:
            raise ProcurementError(
                _(
                    "Belanja resmi dari %(seller)s akan menjadi %(after)s (sudah %(received)s), melewati "
                    "batas %(cap)s per penjual dalam %(days)d hari. Pilih penjual lain untuk barang ini."
                )
                % {
                    "seller": sellers[seller_id].name,
                    "after": rupiah(received + share),
                    "received": rupiah(received),
                    "cap": rupiah(cap),
                    "days": settings.PEKEN_OFFICIAL_SELLER_CAP_DAYS,
                }
            )


def _requisition_values(requisition: Requisition) -> dict:
    return {
        "status": requisition.status,
        "total": requisition.total,
        "round": requisition.round,
        "budget_line": requisition.budget_line_id,
        "purpose": requisition.purpose,
        "kode_rup": requisition.kode_rup,
        "delivery_address": requisition.delivery_address,
        "needed_by": requisition.needed_by,
        "contact_name": requisition.contact_name,
        "contact_phone": requisition.contact_phone,
    }


def _notify(requisition_id: int, event: str) -> None:
    from procurement import tasks

    transaction.on_commit(lambda: tasks.requisition_notify.delay(requisition_id, event))


def _basket_freeze(*, agency: Agency, basket, lines: list, budget_line: BudgetLine) -> tuple[list, Decimal]:
    """Lock the open basket and freeze its lines at today's prices; returns the unsaved lines and total.

    The basket's row is locked first, by the same function the personal
    checkout starts with, so a second click on "Ajukan", or a personal
    checkout of the same basket from another device, waits on it and finds
    the basket submitted: a basket becomes one requisition or one checkout,
    never both. Every seller must be selling the product at a price, the total
    must be available on the budget line and within each seller's cap, and the
    agency must have a policy for it. Raises ProcurementError (BudgetExceeded).
    """
    from sellers.abstract_models import SellerStatus

    try:
        basket_lock_open(basket=basket)
    except BasketNotOpen as error:
        raise ProcurementError(str(error)) from error
    frozen, sellers, shares = [], {}, defaultdict(Decimal)
    for line in lines:
        record = line.stockrecord
        if record.price is None:
            raise ProcurementError(
                _("%(product)s belum punya harga.") % {"product": line.product.get_title()}
            )
        if record.partner.status != SellerStatus.ACTIVE or not line.product.listing_on_sale:
            raise ProcurementError(
                _("%(product)s dari %(shop)s sedang tidak dijual. Hapus dari keranjang.")
                % {"product": line.product.get_title(), "shop": record.partner.name}
            )
        sellers[record.partner_id] = record.partner
        shares[record.partner_id] += record.price * line.quantity
        frozen.append(
            RequisitionLine(
                seller_id=record.partner_id,
                stockrecord=record,
                product=line.product,
                title=line.product.get_title()[:255],
                partner_sku=record.partner_sku,
                quantity=line.quantity,
                unit_price=record.price,
            )
        )
    total = sum(shares.values(), Decimal(0))
    _available_check(budget_line=budget_line, total=total)
    _seller_cap_check(shares=shares, sellers=sellers)
    if not selectors.requisition_steps_for(agency=agency, total=total):
        raise ProcurementError(
            _("%(agency)s belum punya alur persetujuan untuk nilai ini; minta admin OPD mengaturnya.")
            % {"agency": agency.name}
        )
    return frozen, total


def _lines_values(lines) -> list[dict]:
    """The lines as the audit trail keeps them: seller, product, quantity and price."""
    return [{"seller": line.seller_id, "product": line.product_id, "title": line.title,
             "quantity": line.quantity, "unit_price": line.unit_price} for line in lines]


def _needed_by_check(needed_by: date) -> None:
    """A needed-by date is not past and not further ahead than PEKEN_NEEDED_BY_MAX_DAYS."""
    if needed_by < timezone.localdate():
        raise ProcurementError(_("Tanggal dibutuhkan sudah lewat."))
    if too_far := limits.needed_by_problem(needed_by):
        raise ProcurementError(too_far)


def _submission_check(*, agency: Agency, budget_line: BudgetLine, needed_by: date, purpose: str,
                      delivery_address: str, contact_phone: str, basket) -> tuple[str, list]:
    """What a submission and a resubmission both check; returns the phone as E.164 and the basket's lines."""
    _budget_line_check(agency=agency, budget_line=budget_line)
    _needed_by_check(needed_by)
    if not purpose.strip() or not delivery_address.strip():
        raise ProcurementError(_("Isi keperluan dan alamat pengiriman."))
    phone = phone_e164(contact_phone)
    lines = [line for line in basket.all_lines() if line.stockrecord_id]
    if not lines:
        raise ProcurementError(_("Keranjang kosong."))
    return phone, lines


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
        agency=agency, budget_line=budget_line, needed_by=needed_by, purpose=purpose,
        delivery_address=delivery_address, contact_phone=contact_phone, basket=basket)
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
        agency=requisition.agency, budget_line=budget_line, needed_by=needed_by, purpose=purpose,
        delivery_address=delivery_address, contact_phone=contact_phone, basket=basket)
    with transaction.atomic():
        requisition = _locked(requisition)
        if requisition.requester_id != user.pk:
            raise ApprovalRefused(_("Hanya pemohon yang dapat mengajukan ulang permintaan ini."))
        if requisition.status != RequisitionStatus.RETURNED:
            raise RequisitionStateError(_("Hanya permintaan yang dikembalikan yang bisa diajukan ulang."))
        before = _requisition_values(requisition)
        old_lines = _lines_values(requisition.lines.order_by("pk"))
        frozen, total = _basket_freeze(agency=requisition.agency, basket=basket, lines=lines,
                                       budget_line=budget_line)
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
            from orders.tasks import order_seller_notify

            for order in orders:
                transaction.on_commit(lambda pk=order.pk: order_seller_notify.delay(pk))
    return made


def _approve_final(*, requisition: Requisition, actor) -> list:
    """Place one order per seller and commit the total on the budget line (row-locked).

    The budget line is locked after the sellers and stock records, in the
    order of peken/locks.py; the audit chain's lock comes last.
    """
    orders = _orders_place(requisition=requisition, actor=actor)
    line = BudgetLine.objects.select_for_update().get(pk=requisition.budget_line_id)
    if line.available < requisition.total:
        raise BudgetExceeded(
            _("Anggaran tidak cukup untuk menyetujui: tersedia %(available)s, permintaan %(total)s.")
            % {"available": rupiah(line.available), "total": rupiah(requisition.total)}
        )
    BudgetLine.objects.filter(pk=line.pk).update(
        committed=F("committed") + requisition.total, date_updated=timezone.now()
    )
    BudgetCommitment.objects.create(budget_line=line, requisition=requisition, amount=requisition.total)
    return orders


def _seller_cap_recheck(*, requisition: Requisition, lines: list) -> None:
    """Check the official seller cap again at final approval, the sellers' rows locked in pk order.

    Other requisitions of the same sellers may have been approved since this
    one was submitted; locking the sellers (peken.locks.sellers_lock, before
    the stock) serialises approvals that pay the same seller, so two of them
    cannot both slip under the cap, without blocking a buyer's checkout of
    the same shop. Two queries whatever the number of sellers.
    """
    from django.db.models import DecimalField, ExpressionWrapper, Sum

    shares: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        shares[line.seller_id] += line.line_total
    locks.sellers_lock(seller_ids=shares)
    since = timezone.now() - timedelta(days=settings.PEKEN_OFFICIAL_SELLER_CAP_DAYS)
    line_total = ExpressionWrapper(F("unit_price") * F("quantity"), output_field=DecimalField(max_digits=15))
    received = dict(
        selectors.official_lines_kept().filter(seller_id__in=shares, requisition__date_decided__gte=since)
        .values("seller_id").annotate(total=Sum(line_total)).values_list("seller_id", "total")
    )
    cap = Decimal(settings.PEKEN_OFFICIAL_SELLER_CAP)
    names = {line.seller_id: line.seller.name for line in lines}
    for seller_id, share in shares.items():
        already = received.get(seller_id) or Decimal(0)
        if already + share > cap:
            raise ProcurementError(
                _("Sejak permintaan ini diajukan, %(seller)s sudah menerima %(received)s dari belanja resmi; "
                  "dengan permintaan ini melewati batas %(cap)s per penjual. Kembalikan untuk revisi.")
                % {"seller": names[seller_id], "received": rupiah(already), "cap": rupiah(cap)}
            )


def _orders_place(*, requisition: Requisition, actor) -> list:
    """One Oscar order per seller at the frozen prices, stock allocated under row locks.

    A fixed number of queries whatever the number of lines or sellers: the
    stock records are locked in one statement (peken.locks, as checkout does),
    allocated in one, and orders, lines and their first status rows are
    written in bulk.
    """
    from catalogue_ext.abstract_models import LISTING_ON_SALE
    from orders.statuses import OrderStatus, Party
    from sellers.abstract_models import SellerStatus

    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    StockRecord = get_model("partner", "StockRecord")
    OrderStatusChange = get_model("order", "OrderStatusChange")
    ShippingAddress = get_model("order", "ShippingAddress")
    Country = get_model("address", "Country")

    lines = list(requisition.lines.select_related("seller").order_by("seller_id", "pk"))
    _seller_cap_recheck(requisition=requisition, lines=lines)
    wanted: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.stockrecord_id is None:
            raise ProcurementError(_("%(title)s tidak dijual lagi.") % {"title": line.title})
        wanted[line.stockrecord_id] += line.quantity
    records = {
        r.pk: r
        for r in locks.stock_records_lock(
            StockRecord.objects.filter(pk__in=wanted).select_related("product__product_class", "partner"))
    }
    allocated = []
    for pk, quantity in wanted.items():
        record = records.get(pk)
        if record is None:
            raise ProcurementError(_("Sebagian barang tidak dijual lagi; kembalikan untuk revisi."))
        if record.partner.status != SellerStatus.ACTIVE:
            raise ProcurementError(
                _("%(shop)s sedang tidak berjualan; kembalikan permintaan untuk revisi.")
                % {"shop": record.partner.name}
            )
        if record.product.listing_status not in LISTING_ON_SALE:
            raise ProcurementError(
                _("%(product)s sedang diperiksa petugas; kembalikan permintaan untuk revisi.")
                % {"product": record.product.get_title()}
            )
        if record.product.get_product_class().track_stock:
            free = (record.num_in_stock or 0) - (record.num_allocated or 0)
            if quantity > free:
                raise ProcurementError(
                    _("Stok %(product)s tinggal %(free)d; kembalikan permintaan untuk revisi.")
                    % {"product": record.product.get_title(), "free": max(free, 0)}
                )
            record.num_allocated = (record.num_allocated or 0) + quantity
            allocated.append(record)
    if allocated:
        StockRecord.objects.bulk_update(allocated, ["num_allocated"])
    country = Country.objects.filter(is_shipping_country=True).order_by("-iso_3166_1_a2").first()
    address = None
    if country is not None:
        address = ShippingAddress.objects.create(
            last_name=requisition.agency.name[:255],
            line1=requisition.delivery_address[:255],
            line4="",
            country=country,
            notes=_("Permintaan resmi %(ref)s") % {"ref": requisition.reference},
        )
    by_seller: dict[int, list] = defaultdict(list)
    for line in lines:
        by_seller[line.seller_id].append(line)
    now, site = timezone.now(), Site.objects.get_current()
    orders = []
    for n, (seller_id, seller_lines) in enumerate(by_seller.items(), start=1):
        total = sum((line.line_total for line in seller_lines), Decimal(0))
        orders.append(
            Order(
                number=f"{requisition.reference}-{n}",
                site=site,
                user=None,
                currency=settings.OSCAR_DEFAULT_CURRENCY,
                total_incl_tax=total,
                total_excl_tax=total,
                shipping_incl_tax=0,
                shipping_excl_tax=0,
                shipping_method=_("Diantar ke kantor OPD"),
                shipping_code=OFFICIAL_DELIVERY,
                shipping_address=address,
                status=OrderStatus.NEW,
                date_placed=now,
                date_status_changed=now,
                seller_id=seller_id,
                checkout_reference=requisition.reference,
            )
        )
    Order.objects.bulk_create(orders)
    order_lines = []
    for order, seller_lines in zip(orders, by_seller.values(), strict=True):
        for line in seller_lines:
            record = records[line.stockrecord_id]
            order_lines.append(
                Line(
                    order=order,
                    partner_id=line.seller_id,
                    partner_name=line.seller.name,
                    partner_sku=line.partner_sku,
                    stockrecord=record,
                    product_id=line.product_id,
                    title=line.title,
                    upc=record.product.upc or "",
                    quantity=line.quantity,
                    num_allocated=line.quantity,
                    line_price_incl_tax=line.line_total,
                    line_price_excl_tax=line.line_total,
                    line_price_before_discounts_incl_tax=line.line_total,
                    line_price_before_discounts_excl_tax=line.line_total,
                    unit_price_incl_tax=line.unit_price,
                    unit_price_excl_tax=line.unit_price,
                    status=OrderStatus.NEW,
                )
            )
    Line.objects.bulk_create(order_lines)
    OrderStatusChange.objects.bulk_create(
        [
            OrderStatusChange(
                order=order, old_status="", new_status=OrderStatus.NEW, actor=actor, party=Party.SYSTEM
            )
            for order in orders
        ]
    )
    requisition.checkout_reference = requisition.reference
    return orders


def _commitment_move(commitment: BudgetCommitment, *, to: str) -> None:
    """Close a locked commitment (released or realised) and save it: the one place its status is set.

    The caller records the move in the audit trail with its reason. Raises
    ProcurementError for a move COMMITMENT_TRANSITIONS does not allow: a
    commitment is closed once and never held again.
    """
    if not commitment_move_allowed(old=commitment.status, new=to):
        raise ProcurementError(_("Dana ini sudah tidak terikat (%(status)s).")
                               % {"status": commitment.get_status_display()})
    commitment.status = to
    commitment.date_closed = timezone.now()
    commitment.save(update_fields=["status", "date_closed"])


def _commitment_reduce(*, commitment: BudgetCommitment, amount: Decimal | None) -> tuple[Decimal, dict, dict]:
    """Give ``amount`` (all if None or more than held) of a live commitment back to its budget line.

    The budget line row is locked; returns what was released and the
    before/after values for the audit entry. Giving back all of it releases
    the commitment (_commitment_move). Raises ProcurementError for a
    commitment COMMITMENT_TRANSITIONS does not let go (released or realised).
    """
    if not commitment_move_allowed(old=commitment.status, new=CommitmentStatus.RELEASED):
        raise ProcurementError(_("Dana ini sudah tidak terikat (%(status)s).")
                               % {"status": commitment.get_status_display()})
    line = BudgetLine.objects.select_for_update().get(pk=commitment.budget_line_id)
    held = commitment.amount
    release = held if amount is None else min(Decimal(amount), held)
    if release <= 0:
        raise ProcurementError(_("Jumlah yang dilepas harus lebih dari nol."))
    before = {
        "commitment_status": commitment.status,
        "commitment_amount": held,
        "line_committed": line.committed,
    }
    if release == held:
        _commitment_move(commitment, to=CommitmentStatus.RELEASED)
    else:
        commitment.amount = held - release
        commitment.save(update_fields=["amount"])
    BudgetLine.objects.filter(pk=line.pk).update(
        committed=F("committed") - release, date_updated=timezone.now()
    )
    after = {
        "commitment_status": commitment.status,
        "commitment_amount": commitment.amount,
        "line_committed": line.committed - release,
        "released": release,
    }
    return release, before, after


def budget_release(
    *, requisition: Requisition, amount: Decimal | None, actor, reason: str, ip: str | None = None
) -> Decimal:
    """Release ``amount`` (or, if None, all) of a requisition's live commitment back to its budget line.

    The requisition, its commitment and its budget line are locked in that
    order; the line's committed total falls by exactly what the commitment
    loses, so it always equals the sum of live commitments. Returns the
    amount released. Raises ProcurementError when nothing is committed or no
    reason is given.
    """
    if not reason.strip():
        raise ProcurementError(_("Tuliskan alasan melepas anggaran."))
    with transaction.atomic():
        requisition = _locked(requisition)
        commitment = (
            BudgetCommitment.objects.select_for_update()
            .filter(requisition=requisition, status=CommitmentStatus.LIVE)
            .first()
        )
        if commitment is None:
            raise ProcurementError(
                _("Tidak ada anggaran terikat untuk permintaan %(ref)s.") % {"ref": requisition.reference}
            )
        released, before, after = _commitment_reduce(commitment=commitment, amount=amount)
        audit_record(
            actor=actor,
            action="budget.release",
            obj=commitment,
            before=before,
            after=after | {"reason": reason.strip()},
            ip=ip,
            requisition=requisition,
        )
    return released


def requisition_seller_order_released(*, order, actor, requisition: Requisition | None = None) -> Decimal:
    """A seller rejected (or the buyer side cancelled) one official order: release its amount.

    Runs in the transaction of the order's status change; does nothing for
    an order that is not official or whose requisition holds no live
    commitment. Returns the amount released.
    """
    requisition = requisition or Requisition.objects.filter(reference=order.checkout_reference).first()
    if requisition is None:
        return Decimal(0)
    with transaction.atomic():
        requisition = _locked(requisition)
        commitment = (
            BudgetCommitment.objects.select_for_update()
            .filter(requisition=requisition, status=CommitmentStatus.LIVE)
            .first()
        )
        amount = order.total_incl_tax - (order.shipping_incl_tax or 0)
        if commitment is None or amount <= 0:
            return Decimal(0)
        released, before, after = _commitment_reduce(commitment=commitment, amount=amount)
        audit_record(
            actor=actor,
            action="budget.release.order",
            obj=commitment,
            before=before,
            after=after | {"order": order.number, "order_status": order.status},
            requisition=requisition,
        )
    return released


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
    from orders.services import OrderStatusError, order_status_change
    from orders.statuses import OrderStatus, Party

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
            # every row the cancellations below lock, taken now in the order of peken/locks.py (stock,
            # then budget line), so no other lock waits behind the audit chain's lock they take
            StockRecord = get_model("partner", "StockRecord")
            stock_ids = [line.stockrecord_id for o in live for line in o.lines.all()]
            locks.stock_records_lock(StockRecord.objects.filter(pk__in=stock_ids))
            list(BudgetLine.objects.select_for_update().filter(pk=requisition.budget_line_id).values_list("pk"))
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
            commitment = (
                BudgetCommitment.objects.select_for_update()
                .filter(requisition=requisition, status=CommitmentStatus.LIVE)
                .first()
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
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
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
        Agency.objects.select_for_update().get(pk=agency.pk)
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


# --- Agencies, their people and budgets (issue 4 items 1-2) ---
# Platform admins create agencies (Django admin); an agency's admin grants and
# revokes its people's roles and keeps its budget lines, by hand or from a
# SIPD-style CSV (procurement/budget_csv.py).

class MembershipRefused(ProcurementError):
    """A role may not be granted or revoked this way."""


class BudgetLineRefused(ProcurementError):
    """A budget line change that would leave it inconsistent (e.g. a ceiling below what is spent)."""


BUDGET_IMPORT_PROGRESS_EVERY = 100  # rows between two progress reports of a budget import job


@dataclass
class ImportResult:
    """What a budget CSV import did, or every problem that stopped it (then nothing was applied)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


BUDGET_LINE_EDITABLE = ("description", "funding_source", "ceiling")


def _budget_line_values(line: BudgetLine) -> dict:
    return {"agency": line.agency_id, "fiscal_year": line.fiscal_year, "sub_activity": line.sub_activity,
            "account_code": line.account_code, "description": line.description,
            "funding_source": line.funding_source, "ceiling": line.ceiling}


def _membership_values(membership: Membership) -> dict:
    return {"user": membership.user_id, "email": membership.user.email, "agency": membership.agency_id,
            "role": membership.role, "unit": membership.unit_id}


def agency_create(*, name: str, code: str, address: str = "", kecamatan: str = "", actor,
                  ip: str | None = None) -> Agency:
    """Create an agency (OPD) with the default approval policy, recorded in the audit trail.

    Only platform admins call this (Django admin, demo data). Raises
    django.db.IntegrityError if the name or code is already taken.
    """
    with transaction.atomic():
        agency = Agency.objects.create(name=name, code=code, address=address, kecamatan=kecamatan)
        audit_record(actor=actor, action="agency.create", obj=agency, ip=ip,
                     after={"name": name, "code": code, "address": address, "kecamatan": kecamatan})
        approval_policy_default(agency=agency, actor=actor, ip=ip)
    return agency


def membership_grant(*, agency: Agency | None, user, role: str, unit: Unit | None = None, actor,
                     ip: str | None = None) -> Membership:
    """Give ``user`` a role in ``agency`` (optionally in one of its units); doing it twice grants once.

    The auditor role is city-wide (``agency`` None, granted by platform
    admins); every other role belongs to an agency. Granting a role the person
    already holds only moves them to ``unit`` if it differs. Raises
    MembershipRefused for an unknown role, an auditor role in an agency, an
    agency role without one, or a unit of another agency.
    """
    if role not in Role.values or (role == Role.AUDITOR) != (agency is None):
        raise MembershipRefused(_("Peran ini tidak dapat diberikan oleh admin OPD."))
    if unit is not None and (agency is None or unit.agency_id != agency.pk):
        raise MembershipRefused(_("Unit %(unit)s bukan bagian dari OPD ini.") % {"unit": unit.name})
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user, agency=agency, role=role, defaults={"unit": unit, "created_by": actor})
        if created:
            audit_record(actor=actor, action="membership.grant", obj=membership, ip=ip,
                         after=_membership_values(membership))
        elif membership.unit_id != (unit.pk if unit else None):
            before = _membership_values(membership)
            membership.unit = unit
            membership.save(update_fields=["unit"])
            audit_record(actor=actor, action="membership.unit", obj=membership, ip=ip,
                         before={"unit": before["unit"]}, after={"unit": membership.unit_id})
        transaction.on_commit(lambda: roles_forget(user.pk))
    return membership


def membership_revoke(*, membership: Membership, actor, ip: str | None = None) -> None:
    """Take a role away from a person; revoking a role already gone does nothing.

    The last agency admin of an agency cannot be removed (nobody could assign
    roles any more): the agency's admin roles are locked in primary-key order,
    so two admins revoking each other at once cannot both succeed. Raises
    MembershipRefused in that case.
    """
    with transaction.atomic():
        if membership.role == Role.AGENCY_ADMIN and membership.agency_id:
            admins = list(Membership.objects.select_for_update()
                          .filter(agency_id=membership.agency_id, role=Role.AGENCY_ADMIN).order_by("pk"))
            if membership.pk in {m.pk for m in admins} and len(admins) == 1:
                raise MembershipRefused(_("Admin OPD terakhir tidak dapat dicabut. Berikan peran admin OPD "
                                          "kepada orang lain terlebih dahulu."))
        current = (Membership.objects.select_for_update().select_related("user")
                   .filter(pk=membership.pk).first())
        if current is None:
            return
        before = _membership_values(current)
        user_id = current.user_id
        audit_record(actor=actor, action="membership.revoke", obj=current, ip=ip, before=before)
        current.delete()
        transaction.on_commit(lambda: roles_forget(user_id))


def budget_line_update(*, line: BudgetLine, actor, changes: dict, ip: str | None = None) -> BudgetLine:
    """Change a budget line's description, funding source or ceiling, under a row lock.

    The ceiling must stay a whole, non-negative number of rupiah that covers
    what the line has already committed and realised (read under the lock, so
    an approval committing at the same moment is counted). Raises
    BudgetLineRefused for a ceiling below that, ValueError for any other field.
    Nothing changed records nothing.
    """
    unknown = set(changes) - set(BUDGET_LINE_EDITABLE)
    if unknown:
        raise ValueError(f"budget_line_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        locked = BudgetLine.objects.select_for_update().get(pk=line.pk)
        new = {name: value for name, value in changes.items() if getattr(locked, name) != value}
        if "ceiling" in new:
            ceiling = Decimal(new["ceiling"])
            if ceiling != ceiling.to_integral_value() or ceiling < 0:
                raise BudgetLineRefused(_("Pagu harus rupiah bulat dan tidak negatif."))
            spent = locked.committed + locked.realised
            if ceiling < spent:
                raise BudgetLineRefused(
                    _("Pagu %(ceiling)s lebih kecil dari yang sudah terikat dan terealisasi (%(spent)s). "
                      "Pagu paling kecil %(spent)s.") % {"ceiling": rupiah(ceiling), "spent": rupiah(spent)})
            new["ceiling"] = ceiling
        if new:
            before = {name: getattr(locked, name) for name in new}
            for name, value in new.items():
                setattr(locked, name, value)
            locked.save(update_fields=[*new, "date_updated"])
            audit_record(actor=actor, action="budget_line.update", obj=locked, ip=ip, before=before,
                         after=new)
    return locked


def budget_lines_import(*, agency: Agency, fiscal_year: int, file, actor, ip: str | None = None,
                        file_name: str = "", progress: Progress | None = None) -> ImportResult:
    """Create or update an agency's budget lines of one fiscal year from a SIPD-style CSV.

    All or nothing: if any row is bad (procurement.budget_csv checks the file;
    here a new pagu below what an existing line has committed and realised is
    refused) the result lists every problem by line number and nothing is
    applied. Rows are matched to lines on sub-activity and kode rekening;
    lines not in the file are left as they are. The agency row and then its
    lines of the year are locked in primary-key order, so imports and
    approvals touching the same lines wait for each other. ``file`` is bytes
    or a file object; ``progress``, if given, is told how many rows are done.
    """
    content = file if isinstance(file, bytes) else file.read(budget_csv.MAX_BYTES + 1)
    rows, errors = budget_csv.budget_csv_parse(content)
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        existing = {(line.sub_activity, line.account_code): line for line in
                    BudgetLine.objects.select_for_update().filter(agency=agency, fiscal_year=fiscal_year)
                    .order_by("pk")}
        for row in rows:
            line = existing.get(row.key)
            if line is not None and row.ceiling < line.committed + line.realised:
                result.errors.append((row.line, _(
                    "Pagu %(ceiling)s lebih kecil dari yang sudah terikat dan terealisasi pada baris "
                    "anggaran ini (%(spent)s).") % {"ceiling": rupiah(row.ceiling),
                                           "spent": rupiah(line.committed + line.realised)}))
        if result.errors:
            return result
        for done, row in enumerate(rows):
            if progress and done % BUDGET_IMPORT_PROGRESS_EVERY == 0:
                progress(done)
            values = {"description": row.description, "funding_source": row.funding_source,
                      "ceiling": row.ceiling}
            line = existing.get(row.key)
            if line is None:
                line = BudgetLine.objects.create(agency=agency, fiscal_year=fiscal_year,
                                                 sub_activity=row.sub_activity, account_code=row.account_code,
                                                 **values)
                audit_record(actor=actor, action="budget_line.create", obj=line, ip=ip,
                             after=_budget_line_values(line))
                result.created += 1
                continue
            new = {name: value for name, value in values.items() if getattr(line, name) != value}
            if not new:
                result.unchanged += 1
                continue
            before = {name: getattr(line, name) for name in new}
            for name, value in new.items():
                setattr(line, name, value)
            line.save(update_fields=[*new, "date_updated"])
            audit_record(actor=actor, action="budget_line.update", obj=line, ip=ip, before=before, after=new)
            result.updated += 1
        audit_record(actor=actor, action="budget_lines.import", obj=agency, ip=ip,
                     after={"fiscal_year": fiscal_year, "file": file_name, "created": result.created,
                            "updated": result.updated, "unchanged": result.unchanged})
    return result


def budget_lines_import_start(*, agency: Agency, fiscal_year: int, file, actor, ip: str | None = None,
                              file_name: str = "") -> ImportResult | ImportJob:
    """Import a budget CSV now, or, when it has more than PEKEN_CSV_BACKGROUND_ROWS rows, in a worker.

    The file is checked first (procurement.budget_csv): a bad file comes
    back as an ImportResult listing its problems, nothing applied. A good
    small file is applied at once by budget_lines_import. A good big one
    becomes an ImportJob recording who started it; the worker applies it
    with budget_lines_import, and the job keeps the counts or the problems.
    """
    content = file if isinstance(file, bytes) else file.read(budget_csv.MAX_BYTES + 1)
    rows, errors = budget_csv.budget_csv_parse(content)
    if errors:
        return ImportResult(errors=errors)
    if len(rows) <= settings.PEKEN_CSV_BACKGROUND_ROWS:
        return budget_lines_import(agency=agency, fiscal_year=fiscal_year, file=content, actor=actor, ip=ip,
                                   file_name=file_name)
    return import_job_start(kind=ImportKind.BUDGET_CSV, owner=agency, actor=actor, file_name=file_name,
                            content=content, rows_total=len(rows),
                            params={"fiscal_year": fiscal_year, "ip": ip})


def budget_import_job_apply(job: ImportJob, progress: Progress) -> dict:
    """The runner of a budget CSV job (peken.imports): budget_lines_import, its problems the job's."""
    agency = Agency.objects.get(pk=job.owner_id)
    fiscal_year = job.params["fiscal_year"]
    result = budget_lines_import(agency=agency, fiscal_year=fiscal_year, file=bytes(job.content),
                                 actor=job.actor, ip=job.params.get("ip"), file_name=job.file_name,
                                 progress=progress)
    if not result.ok:
        raise ImportJobFailed(result.errors)
    return {"fiscal_year": fiscal_year, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged}



def unit_create(*, agency: Agency, name: str, actor, ip: str | None = None) -> Unit:
    """Add a unit (bidang, seksi, UPT, puskesmas) to an agency; an existing name is returned as it is.

    Platform admins create units (Django admin, demo data). Raises nothing
    beyond database errors.
    """
    with transaction.atomic():
        unit, created = Unit.objects.get_or_create(agency=agency, name=name)
        if created:
            audit_record(actor=actor, action="unit.create", obj=unit, ip=ip,
                         after={"agency": agency.pk, "name": name})
    return unit
