"""An official purchase up to delivery, built through the services, for receipt, payment and documents.

``delivered(world)`` gives an approved requisition of two sellers whose orders are accepted and
sent: Toko Sembako Bu Ani (goods, PKP) and Katering Pak Darto (catering, registered for PBJT).
"""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone
from oscar.core.loading import get_model

from orders.services import order_status_change
from orders.statuses import OrderStatus, Party
from procurement.services import requisition_decide, requisition_submit_from_basket
from procurement.statuses import Decision, Role
from tests.factories import category_create, product_create, seller_create
from tests.procurement_factories import approval_world, official_basket, person_with_roles

Order = get_model("order", "Order")


def fulfilment_world():
    """approval_world plus a treasurer, a receiver and two shops with their tax facts."""
    world = approval_world()
    world.treasurer = person_with_roles(agency=world.agency, roles=[Role.TREASURER], email="fitri@dinkes.uji")
    world.receiver = person_with_roles(agency=world.agency, roles=[Role.RECEIVER], email="gilang@dinkes.uji")
    for person, name in ((world.treasurer, "Fitri"), (world.receiver, "Gilang")):
        person.first_name, person.last_name = name, "Uji"
        person.save(update_fields=["first_name", "last_name"])
    world.ani = seller_create(name="Toko Sembako Bu Ani", email="ani@contoh.id")
    world.ani.is_pkp, world.ani.npwp = True, "0123456789012345"
    world.ani.save(update_fields=["is_pkp", "npwp"])
    world.darto = seller_create(name="Katering Pak Darto", email="darto@contoh.id")
    world.darto.pbjt_number = "PBJT-SBY-0042"
    world.darto.save(update_fields=["pbjt_number"])
    catering = category_create("Makanan & Minuman Rapat")
    world.beras = product_create(title="Beras Premium 5 kg", price=Decimal("75000"), partner=world.ani)
    world.minyak = product_create(title="Minyak Goreng 2 L", price=Decimal("36000"), partner=world.ani)
    world.nasi = product_create(title="Nasi Kotak Ayam Bakar", price=Decimal("25000"), partner=world.darto)
    world.nasi.categories.add(catering)
    return world


def approved(world, *, items=None):
    """A requisition of ``items`` ((product, quantity); default both shops) approved by the PP."""
    items = items or [(world.beras, 30), (world.minyak, 10), (world.nasi, 40)]
    basket = official_basket(user=world.requester, items=items)
    requisition = requisition_submit_from_basket(
        user=world.requester,
        agency=world.agency,
        basket=basket,
        budget_line=world.line,
        kode_rup="41552026",
        purpose="Bahan makanan dan konsumsi rapat posyandu",
        delivery_address="Puskesmas Jemursari, Jl. Jemursari No. 197, Surabaya",
        needed_by=timezone.localdate() + timedelta(days=5),
        contact_name="Rina Wulandari",
        contact_phone="0812-3456-7890",
    )
    requisition_decide(requisition=requisition, user=world.pp, decision=Decision.APPROVE)
    requisition.refresh_from_db()
    return requisition


def sent(order):
    """The seller accepts and sends ``order``."""
    seller = order.seller.users.first()
    for status in (OrderStatus.ACCEPTED, OrderStatus.SENT):
        order_status_change(order=order, actor=seller, party=Party.SELLER, status=status)
    order.refresh_from_db()
    return order


def delivered(world, *, items=None):
    """An approved requisition whose seller orders are all sent; a namespace with requisition and orders."""
    requisition = approved(world, items=items)
    orders = {
        o.seller_id: sent(o)
        for o in Order.objects.filter(checkout_reference=requisition.reference).order_by("number")
    }
    return SimpleNamespace(requisition=requisition, orders=orders)
