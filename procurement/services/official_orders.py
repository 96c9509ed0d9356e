"""Official orders: placing them on final approval, and a seller's order released again.

On final approval each seller gets one Oscar order with no user (official
buying never shows in a person's own order history), the requisition's
reference as checkout reference, the frozen prices, and delivery to the
requisition's delivery address at no separate charge (the agency buys
delivered goods; a seller who cannot deliver rejects the order, which
releases its amount). The seller cap is checked again under the sellers'
locks, stock is allocated under its locks and the total committed on the
budget line under its lock (peken/locks.py orders them).
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import LISTING_ON_SALE
from orders.statuses import Party
from orders.writer import LineSpec, OrderSpec, orders_create
from peken import locks
from peken.money import rupiah_format
from procurement import selectors
from procurement import selectors_fulfilment as fulfilment
from procurement.audit import audit_record
from procurement.models import BudgetCommitment, BudgetLine, Requisition
from procurement.services._common import BudgetExceeded, ProcurementError, _locked
from procurement.services.budgets import _commitment_reduce
from procurement.services.treasury import commitment_close_if_done
from procurement.statuses import CommitmentStatus
from sellers.abstract_models import SellerStatus

StockRecord = get_model("partner", "StockRecord")
Partner = get_model("partner", "Partner")
ShippingAddress = get_model("order", "ShippingAddress")
Country = get_model("address", "Country")

OFFICIAL_DELIVERY = "antar-kantor-opd"


def _approve_final(*, requisition: Requisition, actor) -> list:
    """Place one order per seller and commit the total on the budget line (row-locked).

    What is committed is what the agency will pay: the prices plus the PPN and PBJT the sellers
    will put on their invoices (procurement.tax on today's facts), so paying a PKP seller or a
    registered caterer never needs money the line has given to others. Its locks are taken in
    the order of peken/locks.py.
    """
    orders = _orders_place(requisition=requisition, actor=actor)
    today = timezone.localdate()
    # only a PKP seller (PPN) or a registered caterer (PBJT) invoices more than its prices
    taxed_sellers = set(
        Partner.objects.filter(pk__in=[order.seller_id for order in orders])
        .filter(Q(is_pkp=True) | ~Q(pbjt_number=""))
        .values_list("pk", flat=True)
    )
    taxed = [order for order in orders if order.seller_id in taxed_sellers]
    on_top = sum(
        (
            Decimal(quote.ppn + quote.pbjt)
            for quote in (fulfilment.order_tax_quote(order=order, on=today, ordered=True) for order in taxed)
        ),
        Decimal(0),
    )
    amount = requisition.total + on_top
    line = locks.budget_line_lock(budget_line_id=requisition.budget_line_id)
    if line.available < amount:
        raise BudgetExceeded(
            _("Anggaran tidak cukup untuk menyetujui: tersedia %(available)s, permintaan %(total)s.")
            % {"available": rupiah_format(line.available), "total": rupiah_format(requisition.total)}
            + (
                " "
                + _("Dengan PPN/PBJT yang ditagih penjual, yang diikat %(amount)s.")
                % {"amount": rupiah_format(amount)}
                if on_top
                else ""
            )
        )
    BudgetLine.objects.filter(pk=line.pk).update(
        committed=F("committed") + amount, date_updated=timezone.now()
    )
    BudgetCommitment.objects.create(budget_line=line, requisition=requisition, amount=amount)
    return orders


def _seller_cap_recheck(*, requisition: Requisition, lines: list) -> None:
    """Check the official seller cap again at final approval, the sellers' rows locked in pk order.

    Other requisitions of the same sellers may have been approved since this
    one was submitted; locking the sellers (peken.locks.sellers_lock, before
    the stock) serialises approvals that pay the same seller, so two of them
    cannot both slip under the cap, without blocking a buyer's checkout of
    the same shop. Two queries whatever the number of sellers.
    """
    shares: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        shares[line.seller_id] += line.line_total
    locks.sellers_lock(seller_ids=shares)
    since = timezone.now() - timedelta(days=settings.PEKEN_OFFICIAL_SELLER_CAP_DAYS)
    line_total = ExpressionWrapper(F("unit_price") * F("quantity"), output_field=DecimalField(max_digits=15))
    received = dict(
        selectors.official_lines_kept()
        .filter(seller_id__in=shares, requisition__date_decided__gte=since)
        .values("seller_id")
        .annotate(total=Sum(line_total))
        .values_list("seller_id", "total")
    )
    cap = Decimal(settings.PEKEN_OFFICIAL_SELLER_CAP)
    names = {line.seller_id: line.seller.name for line in lines}
    for seller_id, share in shares.items():
        already = received.get(seller_id) or Decimal(0)
        if already + share > cap:
            raise ProcurementError(
                _(
                    "Sejak permintaan ini diajukan, %(seller)s sudah menerima %(received)s dari belanja "
                    "resmi; "
                    "dengan permintaan ini melewati batas %(cap)s per penjual. Kembalikan untuk revisi."
                )
                % {"seller": names[seller_id], "received": rupiah_format(already), "cap": rupiah_format(cap)}
            )


def _orders_place(*, requisition: Requisition, actor) -> list:
    """One Oscar order per seller at the frozen prices, written by orders.writer under row locks.

    A fixed number of queries whatever the number of lines or sellers: the
    stock records are locked in one statement (peken.locks, as checkout does)
    and checked here; the writer allocates them and writes the orders, lines
    and first status rows in bulk.
    """
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
            StockRecord.objects.filter(pk__in=wanted).select_related("product__product_class", "partner")
        )
    }
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
    country = Country.objects.filter(is_shipping_country=True).order_by("-iso_3166_1_a2").first()
    address = None
    if country is not None:  # saved by the writer, one for all of the requisition's orders
        address = ShippingAddress(
            last_name=requisition.agency.name[:255],
            line1=requisition.delivery_address[:255],
            line4="",
            country=country,
            notes=_("Permintaan resmi %(ref)s") % {"ref": requisition.reference},
        )
    by_seller: dict[int, list[LineSpec]] = defaultdict(list)
    for line in lines:
        record = records[line.stockrecord_id]
        by_seller[line.seller_id].append(
            LineSpec(
                stockrecord=record,
                product_id=line.product_id,
                partner_id=line.seller_id,
                partner_name=line.seller.name,
                partner_sku=line.partner_sku,
                title=line.title,
                upc=record.product.upc or "",
                quantity=line.quantity,
                unit_price_incl_tax=line.unit_price,
                unit_price_excl_tax=line.unit_price,
                line_price_incl_tax=line.line_total,
                line_price_excl_tax=line.line_total,
                line_price_before_discounts_incl_tax=line.line_total,
                line_price_before_discounts_excl_tax=line.line_total,
            )
        )
    specs = []
    for n, (seller_id, seller_lines) in enumerate(by_seller.items(), start=1):
        total = sum((line.line_price_incl_tax for line in seller_lines), Decimal(0))
        specs.append(
            OrderSpec(
                number=f"{requisition.reference}-{n}",
                seller_id=seller_id,
                lines=seller_lines,
                total_incl_tax=total,
                total_excl_tax=total,
                shipping_method=_("Diantar ke kantor OPD"),
                shipping_code=OFFICIAL_DELIVERY,
                party=Party.SYSTEM,
                actor=actor,
                user=None,
                checkout_reference=requisition.reference,
                shipping_address=address,
            )
        )
    orders = orders_create(specs=specs)
    requisition.checkout_reference = requisition.reference
    return orders


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
        commitment = locks.commitment_lock(
            BudgetCommitment.objects.filter(requisition=requisition, status=CommitmentStatus.LIVE)
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
        # the PPN or PBJT committed on top of this order goes back once nothing is left to pay
        released += commitment_close_if_done(requisition=requisition, actor=actor)
    return released
