"""Reads of the treasurer's month: what reconciles, the Coretax (BPPU) rows, and what an SPJ bundle holds.

The reconciliation of an agency's month lists every handover (BAST), payment, withholding and
deposit of it and flags what does not match:

- received but unpaid: an order complete (Selesai) whose last BAST is older than
  settings.PEKEN_UNPAID_AFTER_RECEIPT_DAYS days, with something accepted and no paid payment;
- paid but not received: a paid payment whose order has no handover with an accepted quantity
  (the services never make one; data edited by hand can);
- withheld but not deposited: a withholding of a month that has ended with no deposit (the
  deposit is due by the 10th or 15th of the next month; any ended month is flagged, to keep
  it plain);
- a deposit whose amount is not the sum of the withholdings it covers.

A month is the payment's (paid_on) for payments and withholdings, received_on for a BAST and
the deposit's own period for deposits. Every sum and count is made by the database.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from procurement.models import (
    Agency,
    GoodsReceipt,
    GoodsReceiptLine,
    Membership,
    OfficialDocument,
    OfficialPayment,
    Requisition,
    SpjBundle,
    TaxDeposit,
    TaxWithholding,
)
from procurement.statuses import DocumentKind, OfficialPaymentStatus, PaymentMethod, Role
from procurement.tax import TaxKind
from sellers.abstract_models import TaxpayerType

Order = get_model("order", "Order")

# who reads an agency's money month (and may ask for its SPJ): its treasurer, PA/KPA and admin;
# an auditor reads every agency's
SPJ_AGENCY_ROLES = frozenset({Role.TREASURER, Role.BUDGET_HOLDER, Role.AGENCY_ADMIN})
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=15, decimal_places=0))


@dataclass(frozen=True)
class Period:
    """A calendar month (Jakarta), as the tax period and the SPJ count it."""

    year: int
    month: int

    @classmethod
    def parse(cls, value: str | None, *, today: date | None = None) -> "Period":
        """``YYYY-MM`` (an <input type="month">); this month when missing or not a month."""
        today = today or timezone.localdate()
        try:
            year, month = (int(part) for part in (value or "").split("-"))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return cls(year, month)
        except ValueError:
            pass
        return cls(today.year, today.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The first day after the month."""
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def previous(self) -> "Period":
        return Period(self.year - (self.month == 1), 12 if self.month == 1 else self.month - 1)

    @property
    def next(self) -> "Period":
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def ended(self, *, today: date) -> bool:
        return today >= self.end


# --- who may read


def spj_agencies(*, user) -> QuerySet:
    """The agencies whose reconciliation, Coretax export and SPJ ``user`` may read and ask for.

    Every agency for an auditor (city-wide); for anyone else the agencies where they are the
    treasurer, the PA/KPA or the agency admin.
    """
    if not user.is_authenticated:
        return Agency.objects.none()
    if Membership.objects.filter(user=user, role=Role.AUDITOR).exists():
        return Agency.objects.order_by("name")
    return (
        Agency.objects.filter(memberships__user=user, memberships__role__in=SPJ_AGENCY_ROLES)
        .distinct()
        .order_by("name")
    )


def spj_readable(*, user, agency: Agency) -> bool:
    return spj_agencies(user=user).filter(pk=agency.pk).exists()


# --- the month's rows


def _paid_in(period: Period) -> Q:
    return Q(status=OfficialPaymentStatus.PAID, paid_on__gte=period.start, paid_on__lt=period.end)


def _accepted_exists(order_ref: str) -> Exists:
    return Exists(
        GoodsReceiptLine.objects.filter(receipt__order=OuterRef(order_ref), quantity_accepted__gt=0)
    )


def month_receipts(*, agency: Agency, period: Period) -> QuerySet:
    """The agency's handovers (BAST) received in ``period``, with what they counted and its value."""
    return (
        GoodsReceipt.objects.filter(
            requisition__agency=agency, received_on__gte=period.start, received_on__lt=period.end
        )
        .select_related("order__seller", "requisition", "received_by", "document")
        .annotate(
            received=Coalesce(Sum("lines__quantity_received"), 0),
            accepted=Coalesce(Sum("lines__quantity_accepted"), 0),
            accepted_value=Coalesce(
                Sum(F("lines__quantity_accepted") * F("lines__order_line__unit_price_incl_tax")), ZERO
            ),
        )
        .order_by("received_on", "order__number", "seq")
    )


def month_payments(*, agency: Agency, period: Period) -> QuerySet:
    """The agency's paid payments of ``period``; ``received`` says whether anything was accepted."""
    return (
        OfficialPayment.objects.filter(_paid_in(period), requisition__agency=agency)
        .select_related("order__seller", "requisition")
        .annotate(received=_accepted_exists("order_id"))
        .order_by("paid_on", "order__number")
    )


def month_withholdings(*, agency: Agency, period: Period, taxes=None) -> QuerySet:
    """The taxes withheld or collected on the agency's payments of ``period`` (all kinds unless told)."""
    rows = TaxWithholding.objects.filter(
        agency=agency,
        payment__status=OfficialPaymentStatus.PAID,
        payment__paid_on__gte=period.start,
        payment__paid_on__lt=period.end,
    )
    if taxes is not None:
        rows = rows.filter(tax__in=taxes)
    return rows.select_related("payment__order__seller", "deposit").order_by(
        "payment__paid_on", "payment__order__number", "pk"
    )


def month_deposits(*, agency: Agency, period: Period) -> QuerySet:
    """The agency's deposits for ``period``, each with the sum and count of the withholdings it covers."""
    return (
        TaxDeposit.objects.filter(agency=agency, period_year=period.year, period_month=period.month)
        .annotate(withheld=Coalesce(Sum("withholdings__amount"), ZERO), covered=Count("withholdings"))
        .order_by("tax", "deposited_on", "pk")
    )


def unpaid_after_receipt(*, agency: Agency, period: Period, today: date) -> list[dict]:
    """Complete orders whose last BAST falls in ``period`` and is older than the setting, still unpaid.

    One row per order: number, seller, requisition, last receipt date and days since.
    """
    cutoff = today - timedelta(days=settings.PEKEN_UNPAID_AFTER_RECEIPT_DAYS)
    paid = OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID).values("order_id")
    rows = (
        GoodsReceipt.objects.filter(requisition__agency=agency, order__status=OrderStatus.RECEIVED)
        .exclude(order_id__in=paid)
        .values("order_id", "order__number", "order__seller__name", "requisition__reference")
        .annotate(last_received=Max("received_on"), accepted=Sum("lines__quantity_accepted"))
        .filter(
            last_received__gte=period.start,
            last_received__lt=min(period.end, cutoff),
            accepted__gt=0,
        )
        .order_by("last_received", "order__number")
    )
    return [row | {"days": (today - row["last_received"]).days} for row in rows]


@dataclass
class Reconciliation:
    """An agency's month: its rows, its totals and what does not match."""

    agency: Agency
    period: Period
    receipts: list
    payments: list
    withholdings: list
    deposits: list
    totals: dict
    tax_totals: list
    unpaid: list = field(default_factory=list)
    paid_unreceived: list = field(default_factory=list)
    undeposited: list = field(default_factory=list)
    deposit_mismatches: list = field(default_factory=list)

    @property
    def problems(self) -> int:
        return (
            len(self.unpaid)
            + len(self.paid_unreceived)
            + len(self.undeposited)
            + len(self.deposit_mismatches)
        )


def reconciliation(*, agency: Agency, period: Period, today: date | None = None) -> Reconciliation:
    """Everything of ``agency`` in ``period`` and the mismatches this module's docstring names."""
    today = today or timezone.localdate()
    payments = month_payments(agency=agency, period=period)
    withholdings = month_withholdings(agency=agency, period=period)
    deposits = list(month_deposits(agency=agency, period=period))
    totals = payments.aggregate(
        count=Count("pk"),
        gross=Coalesce(Sum("gross"), ZERO),
        withheld=Coalesce(Sum("withheld"), ZERO),
        net=Coalesce(Sum("net"), ZERO),
    )
    tax_totals = list(
        withholdings.order_by()
        .values("tax")
        .annotate(
            withheld=Coalesce(Sum("amount"), ZERO),
            deposited=Coalesce(Sum("amount", filter=Q(deposit__isnull=False)), ZERO),
        )
        .order_by("tax")
    )
    labels = dict(TaxKind.choices)
    for row in tax_totals:
        row["label"] = labels.get(row["tax"], row["tax"])
        row["outstanding"] = row["withheld"] - row["deposited"]
    payments = list(payments)
    withholdings = list(withholdings)
    undeposited = []
    if period.ended(today=today):
        undeposited = [w for w in withholdings if w.deposit_id is None and w.amount > 0]
    return Reconciliation(
        agency=agency,
        period=period,
        receipts=list(month_receipts(agency=agency, period=period)),
        payments=payments,
        withholdings=withholdings,
        deposits=deposits,
        totals=totals,
        tax_totals=tax_totals,
        unpaid=unpaid_after_receipt(agency=agency, period=period, today=today),
        paid_unreceived=[p for p in payments if not p.received],
        undeposited=undeposited,
        deposit_mismatches=[d for d in deposits if d.amount != d.withheld],
    )


# --- Coretax: the bulk import of withholding slips (BPPU) through DJP's converter

CORETAX_HEADER = (
    "TaxPeriodMonth",
    "TaxPeriodYear",
    "CounterpartTin",
    "IDPlaceOfBusinessActivityOfIncomeRecipient",
    "TaxCertificate",
    "TaxObjectCode",
    "TaxBase",
    "Rate",
    "Document",
    "DocumentNumber",
    "DocumentDate",
    "IDPlaceOfBusinessActivity",
    "GovTreasurerOpt",
    "SP2DNumber",
    "WithholdingDate",
)
# PPN the treasurer collects is reported on the VAT side, not on a BPPU slip
CORETAX_TAXES = (TaxKind.PPH22, TaxKind.PPH23, TaxKind.PP55)
# The values below are the enumerations of the converter's BPPU sheet (version 3):
# - TaxCertificate ("Fasilitas"): N/A, TaxExAr22, TaxExAr23, TaxExIntDep, TaxExIntPhtb, DTP, PP23, ETC.
#   The UMKM Surat Keterangan that PP 55/2022 carried over from PP 23/2018 is still "PP23"
#   there; a value "PP55" does not exist and the converter would refuse it.
# - Document ("Jenis Dok. Referensi"): TaxInvoice, CommercialInvoice, Contract, PaymentProof, ...
#   A kuitansi is the seller's proof of being paid (PaymentProof); without one the Peken order,
#   which is the seller's invoice to the agency, is the reference (CommercialInvoice).
# - GovTreasurerOpt ("Opsi Pembayaran (IP)"): N/A, Imprest, Direct. A treasurer paying from the
#   cash advance (UP/GU, by transfer, cash or the KKPD card) is Imprest; LS through the city
#   treasury is Direct, with its SP2D number.
CERTIFICATE_PP55 = "PP23"
CERTIFICATE_NONE = "N/A"
DOCUMENT_KUITANSI = "PaymentProof"
DOCUMENT_ORDER = "CommercialInvoice"
TREASURER_UP = "Imprest"
TREASURER_LS = "Direct"
NITKU_HEAD_OFFICE = "000000"  # a taxpayer's head office: its 16-digit NPWP and six zeros


def seller_tin(seller) -> str:
    """The seller's 16-digit NPWP, an old 15-digit one with its leading 0; an individual's NIK without one."""
    npwp = "".join(ch for ch in (seller.npwp or "") if ch.isdigit())
    if len(npwp) == 15:
        npwp = "0" + npwp
    if not npwp and seller.taxpayer_type == TaxpayerType.INDIVIDUAL:
        npwp = "".join(ch for ch in (seller.ktp_number or "") if ch.isdigit())
    return npwp


def seller_nitku(seller) -> str:
    """The seller's NITKU (22 digits), or its head office's: NPWP followed by six zeros."""
    nitku = "".join(ch for ch in (seller.nitku or "") if ch.isdigit())
    if nitku:
        return nitku
    tin = seller_tin(seller)
    return tin + NITKU_HEAD_OFFICE if tin else ""


def _kuitansi(field_name: str) -> Coalesce:
    """The kuitansi of the withholding's payment (else of its order): its ``field_name``."""
    of_payment = OfficialDocument.objects.filter(kind=DocumentKind.KUITANSI, payment=OuterRef("payment_id"))
    of_order = OfficialDocument.objects.filter(
        kind=DocumentKind.KUITANSI, order=OuterRef("payment__order_id")
    ).order_by("pk")
    return Coalesce(
        Subquery(of_payment.order_by("pk").values(field_name)[:1]),
        Subquery(of_order.values(field_name)[:1]),
    )


def coretax_rows(*, agency: Agency, period: Period) -> list[list]:
    """One BPPU row per PPh 22, PPh 23 and PP 55 withholding of the agency's payments of ``period``.

    IDPlaceOfBusinessActivity is the withholder's own NITKU (Agency.nitku, set by the platform
    admin); blank until it is set.
    """
    rows = month_withholdings(agency=agency, period=period, taxes=CORETAX_TAXES).annotate(
        kuitansi_number=_kuitansi("number"), kuitansi_issued=_kuitansi("date_issued")
    )
    out = []
    for w in rows:
        payment, seller = w.payment, w.payment.order.seller
        if w.kuitansi_number:
            document, number = DOCUMENT_KUITANSI, w.kuitansi_number
            document_date = timezone.localdate(w.kuitansi_issued)
        else:
            document, number = DOCUMENT_ORDER, payment.order.number
            document_date = timezone.localdate(payment.order.date_placed)
        ls = payment.method == PaymentMethod.LS
        out.append(
            [
                payment.paid_on.month,
                payment.paid_on.year,
                seller_tin(seller),
                seller_nitku(seller),
                CERTIFICATE_PP55 if w.tax == TaxKind.PP55 else CERTIFICATE_NONE,
                w.object_code,
                w.base,
                w.rate_percent.normalize(),
                document,
                number,
                document_date,
                agency.nitku or None,
                TREASURER_LS if ls else TREASURER_UP,
                payment.sp2d_number if ls else None,
                payment.paid_on,
            ]
        )
    return out


# --- the SPJ bundle: its payments, taxes and documents


def scope_payments(*, agency_id: int, requisition_id: int | None, period: Period | None) -> QuerySet:
    """The paid payments of one requisition, or of an agency's month."""
    if requisition_id:
        rows = OfficialPayment.objects.filter(
            requisition_id=requisition_id, status=OfficialPaymentStatus.PAID
        )
    else:
        rows = OfficialPayment.objects.filter(_paid_in(period), requisition__agency_id=agency_id)
    return rows.select_related("order__seller").order_by("paid_on", "order__number")


def scope_documents(*, agency_id: int, requisition_id: int | None, period: Period | None) -> QuerySet:
    """The documents of one requisition, or of the orders an agency paid in a month; without their PDFs."""
    if requisition_id:
        rows = OfficialDocument.objects.filter(requisition_id=requisition_id)
    else:
        paid = scope_payments(agency_id=agency_id, requisition_id=None, period=period)
        rows = OfficialDocument.objects.filter(agency_id=agency_id, order_id__in=paid.values("order_id"))
    return rows.select_related("order").defer("content").order_by("order__number", "date_issued", "pk")


def _scope(bundle: SpjBundle) -> dict:
    period = None if bundle.requisition_id else Period(bundle.period_year, bundle.period_month)
    return {"agency_id": bundle.agency_id, "requisition_id": bundle.requisition_id, "period": period}


def bundle_payments(*, bundle: SpjBundle) -> QuerySet:
    """The paid payments a bundle covers: its requisition's, or its agency's of its month."""
    return scope_payments(**_scope(bundle))


def bundle_documents(*, bundle: SpjBundle) -> QuerySet:
    """A bundle's documents without their PDFs: its requisition's, or those of its month's paid orders."""
    return scope_documents(**_scope(bundle))


def bundle_withholdings(*, bundle: SpjBundle) -> QuerySet:
    return (
        TaxWithholding.objects.filter(payment__in=bundle_payments(bundle=bundle).values("pk"))
        .select_related("payment__order", "deposit")
        .order_by("payment__paid_on", "payment__order__number", "pk")
    )


def agency_bundles(*, agency: Agency) -> QuerySet:
    """The agency's SPJ bundles, newest first, without their ZIPs."""
    return (
        SpjBundle.objects.filter(agency=agency)
        .select_related("requisition", "requested_by")
        .defer("content")
        .order_by("-date_created", "-pk")
    )


def requisition_of_agency(*, agency: Agency, reference: str) -> Requisition | None:
    """The agency's requisition numbered ``reference`` that has a paid payment, or None."""
    return (
        Requisition.objects.filter(agency=agency, reference=reference)
        .filter(
            Exists(
                OfficialPayment.objects.filter(requisition=OuterRef("pk"), status=OfficialPaymentStatus.PAID)
            )
        )
        .first()
    )
