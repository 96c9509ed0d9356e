"""Official purchases at benchmark scale: agencies, budgets, requisitions and what followed them.

Called by peken.synthetic.synthetic_populate after the catalogue exists. Each requisition buys
from one synthetic shop; most were approved, and of those most were delivered, received in one
handover (BAST) and paid, with their PPh 22 withheld; the rest wait at an earlier stage. Written
with COPY (peken.synthetic.rows_copy), deterministic per seed, and only what is missing is
added. The budget lines' committed and realised are the sums of what their requisitions hold,
so every identity the services keep (ceiling = available + committed + realised) holds here too.
These rows have no audit entries: they stand for history, not for changes made here.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from peken.synthetic import EPOCH, rows_copy
from procurement.models import (
    Agency,
    BudgetCommitment,
    BudgetLine,
    GoodsReceipt,
    GoodsReceiptLine,
    Membership,
    OfficialPayment,
    Requisition,
    RequisitionLine,
    TaxWithholding,
)
from procurement.statuses import (
    CommitmentStatus,
    DocumentKind,
    OfficialPaymentStatus,
    PaymentMethod,
    RequisitionStatus,
    Role,
)
from procurement.tax import OBJECT_CODES, TaxKind

User = get_user_model()
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
Line = get_model("order", "Line")

LINES_PER_AGENCY = 20
SMALL_PURCHASE = 2_000_000  # PPh 22 is withheld above it (the tax engine's default)
# what became of a requisition, by its number modulo 20
STAGES = ["paid"] * 14 + ["received"] * 2 + ["sent"] * 2 + ["submitted", "rejected"]
ORDER_STATUS = {"paid": OrderStatus.RECEIVED, "received": OrderStatus.RECEIVED, "sent": OrderStatus.SENT}
METHODS = [PaymentMethod.UP_TRANSFER, PaymentMethod.LS, PaymentMethod.UP_TRANSFER, PaymentMethod.UP_CASH]


@dataclass(frozen=True)
class OfficialCounts:
    agencies: int
    requisitions: int
    order_lines: int
    payments: int


def _agencies(count: int, prefix: str) -> dict[int, dict]:
    """The synthetic agencies with their people and budget lines (created once, in bulk)."""
    codes = [f"{prefix}opd-{n:03d}" for n in range(count)]
    have = set(Agency.objects.filter(code__in=codes).values_list("code", flat=True))
    rows_copy(
        Agency,
        (
            {
                "name": f"OPD Sintetis {prefix}{n + 1}",
                "code": code,
                "kecamatan": "",
                "address": "",
                "nitku": "",
                "date_created": EPOCH,
            }
            for n, code in enumerate(codes)
            if code not in have
        ),
    )
    agencies = dict(Agency.objects.filter(code__in=codes).values_list("id", "code"))
    roles = (Role.REQUESTER, Role.COMMITMENT_OFFICIAL, Role.TREASURER)
    wanted = {f"{code}-{role}": (agency_id, role) for agency_id, code in agencies.items() for role in roles}
    have = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    rows_copy(
        User,
        (
            {
                "username": name,
                "email": f"{name}@contoh.id",
                "password": "!",
                "first_name": "Pegawai",
                "last_name": name,
                "is_active": True,
                "is_staff": False,
                "is_superuser": False,
                "date_joined": EPOCH,
            }
            for name in wanted
            if name not in have
        ),
    )
    users = dict(User.objects.filter(username__in=wanted).values_list("username", "id"))
    have = set(
        Membership.objects.filter(user_id__in=users.values()).values_list("user_id", "agency_id", "role")
    )
    rows_copy(
        Membership,
        (
            {"user_id": users[name], "agency_id": agency_id, "role": role, "nip": "", "date_created": EPOCH}
            for name, (agency_id, role) in wanted.items()
            if (users[name], agency_id, role) not in have
        ),
    )
    have = set(BudgetLine.objects.filter(agency_id__in=agencies).values_list("agency_id", flat=True))
    rows_copy(
        BudgetLine,
        (
            {
                "agency_id": agency_id,
                "fiscal_year": EPOCH.year,
                "sub_activity": f"Sub kegiatan sintetis {n + 1}",
                "account_code": f"5.1.02.01.01.{n + 1:04d}",
                "description": f"Belanja sintetis {n + 1}",
                "funding_source": "DAU",
                "ceiling": Decimal(0),
                "committed": Decimal(0),
                "realised": Decimal(0),
                "date_updated": EPOCH,
            }
            for agency_id in agencies
            if agency_id not in have
            for n in range(LINES_PER_AGENCY)
        ),
    )
    lines = defaultdict(list)
    for line_id, agency_id in BudgetLine.objects.filter(agency_id__in=agencies).values_list(
        "id", "agency_id"
    ):
        lines[agency_id].append(line_id)
    return {
        agency_id: {
            "lines": sorted(lines[agency_id]),
            **{role: users[f"{code}-{role}"] for role in roles},
        }
        for agency_id, code in agencies.items()
    }


def _plan(count: int, lines_per: int, prefix: str, agencies: dict, existing: int) -> list[dict]:
    """What each missing requisition bought, from which shop, and how far it went."""
    stock = list(
        StockRecord.objects.filter(partner_sku__startswith=prefix)
        .order_by("partner_id", "id")
        .values_list(
            "id", "partner_id", "partner__name", "product_id", "product__title", "product__upc", "price"
        )
    )
    by_seller = defaultdict(list)
    for record in stock:
        by_seller[record[1]].append(record)
    sellers = sorted(by_seller)
    agency_ids = sorted(agencies)
    plan = []
    for n in range(existing, count):
        rng = random.Random(f"{prefix}requisition{n}")
        records = by_seller[rng.choice(sellers)]
        picks = rng.sample(records, min(lines_per, len(records)))
        quantities = [rng.randint(1, 20) for _ in picks]
        agency_id = agency_ids[n % len(agency_ids)]
        placed = EPOCH + timedelta(days=rng.randrange(0, 330), minutes=rng.randrange(0, 600))
        plan.append(
            {
                "n": n,
                "agency": agency_id,
                "line": rng.choice(agencies[agency_id]["lines"]),
                "picks": picks,
                "quantities": quantities,
                "total": sum((p[6] * q for p, q in zip(picks, quantities, strict=True)), Decimal(0)),
                "stage": STAGES[n % len(STAGES)],
                "placed": placed,
                "paid_on": (placed + timedelta(days=rng.randint(5, 30))).date(),
            }
        )
    return plan


def official_synthetic_populate(
    *, agencies: int, requisitions: int, lines_per_requisition: int, seed: int
) -> OfficialCounts:
    """Make the database hold at least ``requisitions`` synthetic official purchases of ``agencies``.

    Needs the synthetic catalogue of the same seed (peken.synthetic). Runs in the caller's
    transaction.
    """
    prefix = f"syn{seed}-"
    reference = f"SYN{seed}-RQ-"
    people = _agencies(agencies, prefix)
    existing = Requisition.objects.filter(reference__startswith=reference).count()
    plan = _plan(requisitions, lines_per_requisition, f"SYN{seed}-", people, existing)
    rejected, submitted = RequisitionStatus.REJECTED, RequisitionStatus.SUBMITTED
    status = {"rejected": rejected, "submitted": submitted}
    rows_copy(
        Requisition,
        (
            {
                "reference": f"{reference}{p['n']:07d}",
                "agency_id": p["agency"],
                "requester_id": people[p["agency"]][Role.REQUESTER],
                "budget_line_id": p["line"],
                "kode_rup": "",
                "purpose": "Belanja sintetis",
                "delivery_address": "Kantor OPD",
                "needed_by": p["placed"].date() + timedelta(days=7),
                "contact_name": "",
                "contact_phone": "",
                "status": status.get(p["stage"], RequisitionStatus.APPROVED),
                "total": p["total"],
                "round": 1,
                "checkout_reference": "" if p["stage"] in status else f"{reference}{p['n']:07d}",
                "date_created": p["placed"] - timedelta(days=2),
                "date_submitted": p["placed"] - timedelta(days=2),
                "date_decided": None if p["stage"] == "submitted" else p["placed"],
            }
            for p in plan
        ),
    )
    ids = dict(Requisition.objects.filter(reference__startswith=reference).values_list("reference", "id"))
    for p in plan:
        p["id"] = ids[f"{reference}{p['n']:07d}"]
    rows_copy(
        RequisitionLine,
        (
            {
                "requisition_id": p["id"],
                "seller_id": record[1],
                "stockrecord_id": record[0],
                "product_id": record[3],
                "title": record[4],
                "partner_sku": record[5] or "",
                "quantity": quantity,
                "unit_price": record[6],
            }
            for p in plan
            for record, quantity in zip(p["picks"], p["quantities"], strict=True)
        ),
    )
    placed = [p for p in plan if p["stage"] in ORDER_STATUS]
    rows_copy(
        Order,
        (
            {
                "number": f"{reference}{p['n']:07d}-1",
                "site_id": 1,
                "user_id": None,
                "seller_id": p["picks"][0][1],
                "checkout_reference": f"{reference}{p['n']:07d}",
                "currency": "IDR",
                "total_incl_tax": p["total"],
                "total_excl_tax": p["total"],
                "shipping_method": "Diantar ke kantor OPD",
                "shipping_code": "antar-kantor-opd",
                "status": ORDER_STATUS[p["stage"]],
                "guest_email": "",
                "date_placed": p["placed"],
                "analytics_tracked": True,
            }
            for p in placed
        ),
    )
    orders = dict(Order.objects.filter(number__startswith=reference).values_list("number", "id"))
    for p in placed:
        p["order"] = orders[f"{reference}{p['n']:07d}-1"]
    rows_copy(
        Line,
        (
            {
                "order_id": p["order"],
                "partner_id": record[1],
                "partner_name": record[2],
                "partner_sku": record[5] or "",
                "partner_line_reference": "",
                "partner_line_notes": "",
                "stockrecord_id": record[0],
                "product_id": record[3],
                "title": record[4],
                "upc": record[5],
                "quantity": quantity,
                "line_price_incl_tax": record[6] * quantity,
                "line_price_excl_tax": record[6] * quantity,
                "line_price_before_discounts_incl_tax": record[6] * quantity,
                "line_price_before_discounts_excl_tax": record[6] * quantity,
                "unit_price_incl_tax": record[6],
                "unit_price_excl_tax": record[6],
                "status": ORDER_STATUS[p["stage"]],
                "num_allocated": quantity,
                "allocation_cancelled": False,
            }
            for p in placed
            for record, quantity in zip(p["picks"], p["quantities"], strict=True)
        ),
    )
    received = [p for p in placed if p["stage"] in ("paid", "received")]
    rows_copy(
        GoodsReceipt,
        (
            {
                "order_id": p["order"],
                "requisition_id": p["id"],
                "seq": 1,
                "received_on": p["paid_on"] - timedelta(days=2),
                "received_by_id": people[p["agency"]][Role.COMMITMENT_OFFICIAL],
                "role": Role.COMMITMENT_OFFICIAL,
                "note": "",
                "date_created": p["placed"] + timedelta(days=3),
            }
            for p in received
        ),
    )
    receipts = dict(
        GoodsReceipt.objects.filter(order_id__in=[p["order"] for p in received]).values_list("order_id", "id")
    )
    order_lines = defaultdict(list)
    for line_id, order_id, quantity in Line.objects.filter(order_id__in=receipts).values_list(
        "id", "order_id", "quantity"
    ):
        order_lines[order_id].append((line_id, quantity))
    rows_copy(
        GoodsReceiptLine,
        (
            {
                "receipt_id": receipts[order_id],
                "order_line_id": line_id,
                "quantity_received": quantity,
                "quantity_accepted": quantity,
                "rejection_reason": "",
            }
            for order_id, lines in order_lines.items()
            for line_id, quantity in lines
        ),
    )
    paid = [p for p in received if p["stage"] == "paid"]
    for p in paid:
        p["pph22"] = (
            (p["total"] * Decimal("0.015")).quantize(Decimal(1)) if p["total"] > SMALL_PURCHASE else 0
        )
        p["method"] = METHODS[p["n"] % len(METHODS)]
    rows_copy(
        OfficialPayment,
        (
            {
                "order_id": p["order"],
                "requisition_id": p["id"],
                "method": p["method"],
                "status": OfficialPaymentStatus.PAID,
                "price": p["total"],
                "ppn": 0,
                "ppn_collected": False,
                "pbjt": 0,
                "gross": p["total"],
                "withheld": p["pph22"],
                "net": p["total"] - p["pph22"],
                "contract_document": DocumentKind.NOTA if p["total"] <= 10_000_000 else DocumentKind.KUITANSI,
                "meterai_required": p["total"] > 5_000_000,
                "above_direct_purchase_limit": False,
                "split_purchase": False,
                "paid_on": p["paid_on"],
                "bank_reference": f"TRX{p['n']:08d}" if p["method"] != PaymentMethod.LS else "",
                "sp2d_number": f"SP2D-{p['n']:07d}" if p["method"] == PaymentMethod.LS else "",
                "sp2d_date": p["paid_on"] if p["method"] == PaymentMethod.LS else None,
                "card_payment_id": None,
                "treasurer_id": people[p["agency"]][Role.TREASURER],
                "date_created": p["placed"] + timedelta(days=5),
                "date_paid": p["placed"] + timedelta(days=5),
            }
            for p in paid
        ),
    )
    payments = dict(
        OfficialPayment.objects.filter(order_id__in=[p["order"] for p in paid]).values_list("order_id", "id")
    )
    rows_copy(
        TaxWithholding,
        (
            {
                "payment_id": payments[p["order"]],
                "agency_id": p["agency"],
                "tax": TaxKind.PPH22,
                "object_code": OBJECT_CODES[TaxKind.PPH22],
                "base": p["total"],
                "rate_percent": Decimal("1.5"),
                "amount": p["pph22"],
                "deposit_id": None,
            }
            for p in paid
            if p["pph22"]
        ),
    )
    approved = [p for p in plan if p["stage"] not in status]
    rows_copy(
        BudgetCommitment,
        (
            {
                "budget_line_id": p["line"],
                "requisition_id": p["id"],
                "amount": 0 if p["stage"] == "paid" else p["total"],
                "realised": p["total"] if p["stage"] == "paid" else 0,
                "status": CommitmentStatus.REALISED if p["stage"] == "paid" else CommitmentStatus.LIVE,
                "date_created": p["placed"],
                "date_closed": p["placed"] + timedelta(days=5) if p["stage"] == "paid" else None,
            }
            for p in approved
        ),
    )
    # each line holds what its requisitions committed and spent, and room for as much again
    committed, realised = defaultdict(Decimal), defaultdict(Decimal)
    for p in approved:
        (realised if p["stage"] == "paid" else committed)[p["line"]] += p["total"]
    for line_id in set(committed) | set(realised):
        spent = committed[line_id] + realised[line_id]
        BudgetLine.objects.filter(pk=line_id).update(
            ceiling=F("ceiling") + 2 * spent,
            committed=F("committed") + committed[line_id],
            realised=F("realised") + realised[line_id],
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (
                BudgetLine,
                BudgetCommitment,
                Requisition,
                RequisitionLine,
                Order,
                Line,
                GoodsReceipt,
                OfficialPayment,
                TaxWithholding,
            ):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return OfficialCounts(
        agencies=len(people),
        requisitions=Requisition.objects.filter(reference__startswith=reference).count(),
        order_lines=Line.objects.filter(order__number__startswith=reference).count(),
        payments=OfficialPayment.objects.filter(requisition__reference__startswith=reference).count(),
    )
