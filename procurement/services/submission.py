"""What a requisition's submission and resubmission check, and the freeze of a basket's prices.

The budget line must be the agency's, of the current fiscal year, with the
total available; no seller may pass the official cap with its share; the
needed-by date, purpose, address and phone must be given and valid; the
basket's row is locked first (peken.locks) so it becomes one requisition or
one checkout, never both.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from checkout.services import BasketNotOpen, basket_lock_open
from peken import limits
from peken.money import rupiah_format
from procurement import selectors
from procurement.models import Agency, BudgetLine, RequisitionLine
from procurement.services._common import BudgetExceeded, ProcurementError, phone_e164
from sellers.abstract_models import SellerStatus


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
            % {"available": rupiah_format(budget_line.available), "total": rupiah_format(total)}
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
                    "after": rupiah_format(received + share),
                    "received": rupiah_format(received),
                    "cap": rupiah_format(cap),
                    "days": settings.PEKEN_OFFICIAL_SELLER_CAP_DAYS,
                }
            )


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
    return [
        {
            "seller": line.seller_id,
            "product": line.product_id,
            "title": line.title,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
        }
        for line in lines
    ]


def _needed_by_check(needed_by: date) -> None:
    """A needed-by date is not past and not further ahead than PEKEN_NEEDED_BY_MAX_DAYS."""
    if needed_by < timezone.localdate():
        raise ProcurementError(_("Tanggal dibutuhkan sudah lewat."))
    if too_far := limits.needed_by_problem(needed_by):
        raise ProcurementError(too_far)


def _submission_check(
    *,
    agency: Agency,
    budget_line: BudgetLine,
    needed_by: date,
    purpose: str,
    delivery_address: str,
    contact_phone: str,
    basket,
) -> tuple[str, list]:
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
