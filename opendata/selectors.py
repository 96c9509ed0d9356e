"""Reads of the open data: which orders are published, the recorded facts of each, the city's spend.

A contracting process is one official seller order: an order with no user placed for an approved
requisition (procurement.services.official_orders). A personal order (a user's, or a guest's with
no requisition behind its checkout reference) is never one. Everything a release states is read
from rows written once when a step happened: the order as placed, its status changes, the issued
documents, the handovers and the paid payments; so the same rows always give the same releases.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import SupplyKind
from catalogue_ext.selectors import product_supply_kind
from orders.statuses import OrderStatus
from procurement import selectors_documents as documents
from procurement.models import Agency, OfficialDocument, OfficialPayment, Requisition
from procurement.statuses import DocumentKind, OfficialPaymentStatus
from reports.forms import ReportFilter
from reports.models import PaidPayment
from reports.selectors import paid_rows

Order = get_model("order", "Order")
OrderStatusChange = get_model("order", "OrderStatusChange")

# the documents that make the contract, by value band; a kuitansi-band purchase has only its kuitansi
CONTRACT_KINDS = frozenset(
    {DocumentKind.NOTA, DocumentKind.SPK, DocumentKind.SURAT_PERJANJIAN, DocumentKind.SURAT_PESANAN}
)
# the status changes a release tells: the seller's acceptance, and an order that sold nothing
TOLD_STATUSES = (OrderStatus.ACCEPTED, OrderStatus.REJECTED, OrderStatus.CANCELLED)
BULK_DIR = "opendata"
BULK_FILE = "ocds-releases.jsonl.gz"
BULK_META = "ocds-releases.json"


def official_orders() -> QuerySet:
    """Every published process's order, oldest first: no user, placed for a requisition."""
    placed = Requisition.objects.exclude(checkout_reference="").values("checkout_reference")
    return Order.objects.filter(user__isnull=True, checkout_reference__in=placed).order_by(
        "date_placed", "pk"
    )


def ocid_of(order) -> str:
    """The process's ocid: the publisher's prefix (PEKEN_OCDS_PREFIX) and the order number."""
    return f"{settings.PEKEN_OCDS_PREFIX}-{order.number}"


def official_order_by_ocid(ocid: str):
    """The official order an ocid names, or None (another prefix, a personal order, none)."""
    prefix = f"{settings.PEKEN_OCDS_PREFIX}-"
    if not ocid.startswith(prefix):
        return None
    return official_orders().filter(number=ocid.removeprefix(prefix)).select_related("seller").first()


@dataclass(frozen=True)
class ItemFact:
    """One order line as its item is published: the product's category and kind, the price frozen."""

    line_id: int
    title: str
    quantity: int
    unit: str
    unit_price: Decimal
    kind: str
    category_code: str
    category_name: str


@dataclass(frozen=True)
class ProcessFacts:
    """What was recorded of one official order, each step with the moment it happened."""

    order: object
    requisition: Requisition
    items: list[ItemFact]
    value: int  # the order as placed, including the PPN and PBJT on the seller's invoice
    changes: list[tuple[str, datetime]]  # (status, when), oldest first
    documents: list[OfficialDocument]  # contract documents, BASTs and kuitansi, oldest first
    payments: list[OfficialPayment]  # paid ones, oldest first

    @property
    def has_contract_document(self) -> bool:
        """Whether a contract document by band was issued (else the payment's kuitansi is the contract)."""
        return any(d.kind in CONTRACT_KINDS for d in self.documents)


def _category(product) -> tuple[str, str]:
    """A product's first category by path (a variant's: its parent's), as the spend report reads it."""
    if product is None:
        return "", ""
    owner = product.parent if product.is_child and product.parent_id else product
    category = min(owner.categories.all(), key=lambda c: c.path, default=None)
    if category is None:
        return "", ""
    return category.full_slug, category.full_name


def process_facts(*, order) -> ProcessFacts:
    """The recorded facts of the official ``order``: its lines, value, status changes, documents, payments.

    The value is the one the contract document states (procurement.selectors_documents'
    order_contract_quote: every line as ordered, the taxes on the day it was placed, the seller's
    registration as it stands). A fixed number of queries per order.
    """
    requisition = Requisition.objects.select_related("agency", "budget_line").get(
        checkout_reference=order.checkout_reference
    )
    lines = order.lines.select_related("product__parent").prefetch_related(
        "product__categories", "product__parent__categories"
    )
    items = []
    for line in lines.order_by("pk"):
        code, name = _category(line.product)
        items.append(
            ItemFact(
                line_id=line.pk,
                title=line.title,
                quantity=line.quantity,
                unit=getattr(line.product, "unit", "") or "",
                unit_price=line.unit_price_incl_tax,
                kind=product_supply_kind(line.product),
                category_code=code,
                category_name=name,
            )
        )
    quote = documents.order_contract_quote(order=order)
    changes = list(
        OrderStatusChange.objects.filter(order=order, new_status__in=TOLD_STATUSES)
        .order_by("date_created", "pk")
        .values_list("new_status", "date_created")
    )
    issued = list(
        OfficialDocument.objects.defer("content")
        .filter(order=order, kind__in=[*CONTRACT_KINDS, DocumentKind.BAST, DocumentKind.KUITANSI])
        .select_related("receipt")
        .order_by("date_issued", "pk")
    )
    payments = list(
        OfficialPayment.objects.filter(order=order, status=OfficialPaymentStatus.PAID).order_by(
            "date_paid", "pk"
        )
    )
    return ProcessFacts(
        order=order,
        requisition=requisition,
        items=items,
        value=quote.total_invoice,
        changes=changes,
        documents=issued,
        payments=payments,
    )


def is_goods(kind: str) -> bool:
    return kind == SupplyKind.GOODS


# --- the public page: the city's spend, the processes ---


def spend_years() -> list[int]:
    """The years with paid official purchases, newest first, always including this one."""
    years = {d.year for d in PaidPayment.objects.dates("paid_on", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def spend_by_agency_month(*, year: int) -> list[dict]:
    """The city's official spend of ``year`` per agency and month: the reports' paid payments (gross,
    by the date paid, reports.selectors.paid_rows) summed in the database; by agency name, then month.

    Each row: agency_name, agency_code, month (its first day), amount, orders.
    """
    rows = paid_rows(agencies=Agency.objects.all(), f=ReportFilter(year=year)).filter(paid_on__year=year)
    return list(
        rows.annotate(month=TruncMonth("paid_on"))
        .order_by()
        .values("agency__name", "agency__code", "month")
        .annotate(amount=Sum("gross"), orders=Count("payment"))
        .order_by("agency__name", "month")
    )


def spend_total(*, year: int) -> dict:
    """The year's total official spend and paid orders (the same rows as spend_by_agency_month)."""
    rows = paid_rows(agencies=Agency.objects.all(), f=ReportFilter(year=year)).filter(paid_on__year=year)
    totals = rows.aggregate(amount=Sum("gross"), orders=Count("payment"))
    return {"amount": totals["amount"] or Decimal(0), "orders": totals["orders"]}


def processes() -> QuerySet:
    """The published processes newest first, each order with its agency's name (one query a page)."""
    agency = Requisition.objects.filter(checkout_reference=OuterRef("checkout_reference")).values(
        "agency__name"
    )[:1]
    return (
        official_orders()
        .select_related("seller")
        .annotate(agency_name=Subquery(agency))
        .order_by("-date_placed", "-pk")
    )


# --- the bulk file ---


def bulk_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / BULK_DIR


@dataclass(frozen=True)
class BulkFile:
    """The bulk file as last built: where it is, when it was built, what it holds."""

    path: Path
    built: datetime
    releases: int
    processes: int
    size: int


def bulk_file() -> BulkFile | None:
    """The bulk file as the last build left it, or None when it was never built."""
    meta_path, path = bulk_dir() / BULK_META, bulk_dir() / BULK_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        size = path.stat().st_size
    except (FileNotFoundError, ValueError):
        return None
    return BulkFile(
        path=path,
        built=datetime.fromisoformat(meta["built"]),
        releases=meta["releases"],
        processes=meta["processes"],
        size=size,
    )


def jakarta_day(value: date) -> datetime:
    """A date as the midnight it starts in Jakarta (OCDS dates are date-times)."""
    return timezone.make_aware(datetime(value.year, value.month, value.day))
