"""Small worlds for the report reads, built through the services (fulfilment_world and its helpers)."""

from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from procurement.services import (
    ReceivedLine,
    approval_policy_default,
    goods_receipt_record,
    official_payment_record,
)
from procurement.statuses import PaymentMethod, Role
from tests.factories import product_create, seller_create
from tests.fulfilment_world import delivered
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, person_with_roles


def shop(*, name: str, kecamatan: str = "", price=Decimal("50000"), status: str = "aktif"):
    """A seller in ``kecamatan`` with one product at ``price``; (seller, product)."""
    slug = name.lower().replace(" ", "")
    seller = seller_create(name=name, email=f"{slug}@contoh.id", status=status)
    seller.kecamatan = kecamatan
    seller.save(update_fields=["kecamatan"])
    return seller, product_create(title=f"Barang {name}", price=Decimal(price), partner=seller)


def other_agency(*, name: str, code: str, ceiling=Decimal("5000000000")):
    """A second agency with its own requester, PP, PPK, treasurer and budget line, shaped like a world."""
    agency = AgencyFactory(name=name, code=code)
    admin = person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email=f"admin.{code}@opd.uji")
    approval_policy_default(agency=agency, actor=admin)
    people = {
        attr: person_with_roles(agency=agency, roles=[role], email=f"{attr}.{code}@opd.uji")
        for attr, role in (
            ("requester", Role.REQUESTER),
            ("pp", Role.PROCUREMENT_OFFICIAL),
            ("ppk", Role.COMMITMENT_OFFICIAL),
            ("pa", Role.BUDGET_HOLDER),
            ("treasurer", Role.TREASURER),
        )
    }
    return SimpleNamespace(
        agency=agency, admin=admin, line=BudgetLineFactory(agency=agency, ceiling=ceiling), **people
    )


def paid(world, *, items, paid_on=None):
    """An approved requisition of ``items`` delivered, received whole by the PPK and paid by transfer.

    Returns a namespace with requisition, orders {seller_id: order} and payments {seller_id: payment}.
    """
    bought = delivered(world, items=items)
    bought.payments = {}
    for seller_id, order in bought.orders.items():
        lines = {line.pk: ReceivedLine(line.quantity, line.quantity) for line in order.lines.all()}
        goods_receipt_record(order=order, actor=world.ppk, received_on=timezone.localdate(), lines=lines)
        bought.payments[seller_id] = official_payment_record(
            order=order,
            actor=world.treasurer,
            method=PaymentMethod.UP_TRANSFER,
            paid_on=paid_on or timezone.localdate(),
            bank_reference=f"TRX-{order.number}",
        )
    return bought
