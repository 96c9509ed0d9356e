"""Demo agencies for official procurement, from fixtures/procurement.json.

Five OPD of Surabaya (Dinas Kesehatan, Dinas Pendidikan, Bappeda, Kecamatan
Gubeng, Kecamatan Tegalsari) with their units and office addresses; in each,
one person per role (requester/PPTK, Pejabat Pengadaan, PPK, PA/KPA,
Bendahara, penerima barang, agency admin, each with a NIP), e.g.
pptk.dinkes@peken.local; a city-wide auditor (inspektorat@peken.local); this
fiscal year's budget lines, imported through the same SIPD-style CSV importer
an agency admin uses; the default approval policy; and Dinas Kesehatan's
purchases at every stage after it: waiting for approval, delivered, received
in two handovers, paid with its documents. Everything is written through
procurement.services, so the audit trail holds it, and only what is missing is
written: a second run changes nothing, and keeps what was changed since (roles
revoked, budget lines and passwords edited). Called by peken.demo.demo_load,
which refuses to run in production.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from catalogue_ext.abstract_models import LISTING_ON_SALE
from orders.services import order_status_change
from orders.statuses import OrderStatus, Party
from peken.exports import csv_text
from peken.money import rupiah_format
from procurement import selectors, services
from procurement.budget_csv import COLUMNS, sub_activity_label
from procurement.models import Agency, ApprovalStep, BudgetLine, Membership, Requisition, Unit
from procurement.statuses import Decision, PaymentMethod, RequisitionStatus, Role
from sellers.abstract_models import SellerStatus

User = get_user_model()
Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
# One password for every demo official; printed by `manage.py peken_demo`.
OFFICIAL_PASSWORD = "opd-peken-2026"


@dataclass(frozen=True)
class ProcurementDemoCounts:
    agencies: int
    officials: int
    budget_lines: int


@cache
def fixture() -> dict:
    return json.loads((Path(settings.BASE_DIR) / "fixtures" / "procurement.json").read_text(encoding="utf-8"))


def auditor_email() -> str:
    return fixture()["auditor"]["email"]


def official_logins() -> list[tuple[str, str, str]]:
    """(agency, role, email) of every demo official, for `manage.py peken_demo` to print."""
    rows = [
        (agency["name"], str(Role(person["role"]).label), person["email"])
        for agency in fixture()["agencies"]
        for person in agency["people"]
    ]
    return [*rows, ("Inspektorat (seluruh kota)", str(Role.AUDITOR.label), auditor_email())]


def _user(*, email: str, first_name: str, last_name: str) -> User | None:
    """The official's account, created with the demo password; None if it already exists (kept as is)."""
    if User.objects.filter(email=email).exists():
        return None
    user = User(
        username=email.split("@")[0], email=email, first_name=first_name, last_name=last_name, is_active=True
    )
    user.set_password(OFFICIAL_PASSWORD)
    user.save()
    return user


def _budget_csv(rows: list[dict]) -> bytes:
    """The agency's demo lines as the SIPD-style CSV an agency admin would upload."""
    cells = (
        [
            row["sub_activity_code"],
            row["sub_activity"],
            row["account_code"],
            row["description"],
            row["funding_source"],
            rupiah_format(row["ceiling"], symbol=False),
        ]
        for row in rows
    )
    return csv_text(header=COLUMNS, rows=cells, delimiter=";").encode("utf-8")


def _agency(data: dict, *, actor) -> Agency:
    agency = Agency.objects.filter(code=data["code"]).first()
    if agency is None:
        agency = services.agency_create(
            name=data["name"],
            code=data["code"],
            address=data["address"],
            kecamatan=data["kecamatan"],
            nitku=data.get("nitku", ""),
            actor=actor,
        )
    elif not ApprovalStep.objects.filter(agency=agency).exists():
        services.approval_policy_default(agency=agency, actor=actor)
    units = {unit.name: unit for unit in Unit.objects.filter(agency=agency)}
    for name in data["units"]:
        if name not in units:
            units[name] = services.unit_create(agency=agency, name=name, actor=actor)
    for person in data["people"]:
        user = _user(email=person["email"], first_name=person["first_name"], last_name=person["last_name"])
        if user is None:
            continue  # an existing official keeps the roles they have now
        unit = units[person["unit"]] if person["unit"] else None
        services.membership_grant(
            agency=agency, user=user, role=person["role"], unit=unit, nip=person.get("nip", ""), actor=actor
        )
    year = timezone.localdate().year
    have = set(
        BudgetLine.objects.filter(agency=agency, fiscal_year=year).values_list("sub_activity", "account_code")
    )
    # Only the missing lines: the importer would set a matched line's ceiling back to the fixture's.
    missing = [
        row
        for row in data["budget"]
        if (sub_activity_label(row["sub_activity_code"], row["sub_activity"]), row["account_code"])
        not in have
    ]
    if missing:
        result = services.budget_lines_import(
            agency=agency,
            fiscal_year=year,
            file=_budget_csv(missing),
            actor=actor,
            file_name=f"dpa-{agency.code}-{year}.csv",
        )
        if not result.ok:
            raise ValueError(f"fixtures/procurement.json, {agency.code}: {result.errors}")
    return agency


def procurement_demo_load() -> ProcurementDemoCounts:
    """Load or refresh the demo agencies, officials and budgets; idempotent. Runs inside demo_load."""
    from peken.demo import ADMIN  # the platform admin (Diskominfo) is who creates agencies

    actor = User.objects.filter(email=ADMIN["email"]).first()
    data = fixture()
    for agency in data["agencies"]:
        _agency(agency, actor=actor)
    auditor = data["auditor"]
    user = _user(email=auditor["email"], first_name=auditor["first_name"], last_name=auditor["last_name"])
    if user is not None:
        services.membership_grant(agency=None, user=user, role=Role.AUDITOR, actor=actor)
    demo_purchases_load()
    codes = [agency["code"] for agency in data["agencies"]]
    return ProcurementDemoCounts(
        agencies=len(codes),
        officials=Membership.objects.filter(user__email__endswith="@peken.local")
        .values("user")
        .distinct()
        .count(),
        budget_lines=BudgetLine.objects.filter(
            agency__code__in=codes, fiscal_year=timezone.localdate().year
        ).count(),
    )


# The demo purchases of Dinas Kesehatan, one per stage of an official purchase. Each is
# known by its purpose, so a second run adds none; written through the same services.
DEMO_PURCHASES = (
    ("waiting", "[Demo] Konsumsi rapat evaluasi posyandu: menunggu persetujuan"),
    ("delivered", "[Demo] ATK dan konsumsi pelatihan kader: sudah dikirim penjual"),
    ("received", "[Demo] Bahan kontak posyandu: diterima dalam dua BAST"),
    ("paid", "[Demo] Konsumsi rapat koordinasi: diterima dan dibayar"),
)
DEMO_AGENCY = "dinkes"


def _demo_listing(*, category_slug: str, exclude_seller_ids=()):
    """An on-sale listing of the category with stock, from an active seller not excluded."""
    return (
        StockRecord.objects.filter(
            partner__status=SellerStatus.ACTIVE,
            product__listing_status__in=LISTING_ON_SALE,
            product__is_public=True,
            product__categories__slug=category_slug,
            num_in_stock__gte=50,
            price__lte=100_000,
        )
        .exclude(partner_id__in=exclude_seller_ids)
        .select_related("product", "partner")
        # shops registered for PPN or PBJT first, so the demo's invoices show those taxes
        .order_by("-partner__is_pkp", "-partner__pbjt_number", "partner_id", "pk")
        .first()
    )


def _demo_basket(*, user, items):
    basket = Basket.objects.create(owner=user)
    basket.strategy = get_class("partner.strategy", "Selector")().strategy(user=user)
    for product, quantity in items:
        basket.add_product(product, quantity)
    return basket


def _demo_purchase_place(*, agency: Agency, purpose: str, items) -> Requisition:
    """Submit a requisition of ``items`` as the agency's requester and have every step approve it."""
    people = {m.role: m.user for m in Membership.objects.filter(agency=agency).select_related("user")}
    requester = people[Role.REQUESTER]
    basket = _demo_basket(user=requester, items=items)
    total = sum(product.stockrecords.first().price * quantity for product, quantity in items)
    line = next(
        line
        for line in BudgetLine.objects.filter(agency=agency, fiscal_year=timezone.localdate().year)
        if line.available >= total * 2
    )
    requisition = services.requisition_submit_from_basket(
        user=requester,
        agency=agency,
        basket=basket,
        budget_line=line,
        kode_rup="",
        purpose=purpose,
        delivery_address=agency.address,
        needed_by=timezone.localdate() + timedelta(days=7),
    )
    return requisition


def _demo_approve(requisition: Requisition) -> None:
    while requisition.status == RequisitionStatus.SUBMITTED:
        step = selectors.requisition_current_step(requisition=requisition)
        approver = Membership.objects.filter(agency=requisition.agency, role=step.role).first().user
        services.requisition_decide(requisition=requisition, user=approver, decision=Decision.APPROVE)
        requisition.refresh_from_db()


def _demo_sent(requisition: Requisition) -> list:
    orders = list(Order.objects.filter(checkout_reference=requisition.reference))
    for order in orders:
        seller = order.seller.users.first()
        for status in (OrderStatus.ACCEPTED, OrderStatus.SENT):
            order_status_change(order=order, actor=seller, party=Party.SELLER, status=status)
        order.refresh_from_db()
    return orders


def _demo_received(requisition: Requisition, orders: list) -> None:
    """The PPK receives each order in two handovers; two of the first line are turned away."""
    ppk = Membership.objects.filter(agency=requisition.agency, role=Role.COMMITMENT_OFFICIAL).first().user
    today = timezone.localdate()
    for order in orders:
        lines = list(order.lines.order_by("pk"))
        first = lines[0]
        half = first.quantity // 2
        services.goods_receipt_record(
            order=order,
            actor=ppk,
            received_on=today - timedelta(days=2),
            lines={first.pk: services.ReceivedLine(received=half, accepted=half - 2, reason="Kemasan rusak")},
            note="Pengiriman pertama",
        )
        rest = {
            first.pk: services.ReceivedLine(received=first.quantity - half, accepted=first.quantity - half)
        }
        rest |= {
            line.pk: services.ReceivedLine(received=line.quantity, accepted=line.quantity)
            for line in lines[1:]
        }
        services.goods_receipt_record(
            order=order, actor=ppk, received_on=today - timedelta(days=1), lines=rest, note="Pengiriman kedua"
        )


def demo_purchases_load() -> int:
    """Dinas Kesehatan's purchases at every stage: waiting, delivered, received, paid; how many were added."""
    agency = Agency.objects.filter(code=DEMO_AGENCY).first()
    if agency is None:
        return 0
    added, used_sellers = 0, []
    for stage, purpose in reversed(DEMO_PURCHASES):  # the paid one gets the taxed shops
        if Requisition.objects.filter(agency=agency, purpose=purpose).exists():
            continue
        catering = _demo_listing(
            category_slug="nasi-kotak", exclude_seller_ids=used_sellers
        ) or _demo_listing(category_slug="snack-box", exclude_seller_ids=used_sellers)
        office = _demo_listing(category_slug="kertas", exclude_seller_ids=used_sellers)
        items = [(record.product, quantity) for record, quantity in ((catering, 40), (office, 10)) if record]
        if not items:
            continue
        used_sellers += [record.partner_id for record in (catering, office) if record]
        requisition = _demo_purchase_place(agency=agency, purpose=purpose, items=items)
        added += 1
        if stage == "waiting":
            continue
        _demo_approve(requisition)
        orders = _demo_sent(requisition)
        if stage == "delivered":
            continue
        _demo_received(requisition, orders)
        if stage == "received":
            continue
        treasurer = Membership.objects.filter(agency=agency, role=Role.TREASURER).first().user
        for n, order in enumerate(orders, start=1):
            services.official_payment_record(
                order=order,
                actor=treasurer,
                method=PaymentMethod.UP_TRANSFER if n == 1 else PaymentMethod.LS,
                paid_on=timezone.localdate(),
                bank_reference=f"BJTM{timezone.localdate():%Y%m%d}{n:04d}",
                sp2d_number=f"0{n:03d}/SP2D/LS/DINKES/{timezone.localdate().year}",
                sp2d_date=timezone.localdate(),
            )
    return added
