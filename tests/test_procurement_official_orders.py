"""What an official order carries to its seller, and what the requester hears back.

The seller's order page and printable sheet show the agency, the needed-by
date, the contact person and phone, the Kode RUP and the delivery address;
the requester is emailed when a seller accepts, rejects or sends an order.
"""

import ast
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation
from oscar.core.loading import get_model

from orders.services import order_status_change
from orders.statuses import OrderStatus, Party
from procurement.forms import RequisitionSubmitForm
from procurement.models import BudgetLine
from procurement.services import (
    ProcurementError,
    phone_e164,
    requisition_decide,
    requisition_submit_from_basket,
)
from procurement.statuses import Decision
from tests.factories import DEFAULT_PASSWORD, UserFactory, order_create, product_create, seller_create
from tests.procurement_factories import approval_world, official_basket

Order = get_model("order", "Order")


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    world = approval_world()
    world.ani = seller_create(name="Toko Sembako Bu Ani", email="ani@contoh.id")
    world.darto = seller_create(name="Katering Pak Darto", email="darto@contoh.id")
    world.beras = product_create(title="Beras Premium 5 kg", price=Decimal("75000"), partner=world.ani)
    world.nasi = product_create(title="Nasi Kotak Ayam Bakar", price=Decimal("25000"), partner=world.darto)
    return world


def _approved(world, django_capture_on_commit_callbacks):
    """A requisition of two sellers, submitted with a contact and a Kode RUP, approved by the PP."""
    basket = official_basket(user=world.requester, items=[(world.beras, 2), (world.nasi, 40)])
    with django_capture_on_commit_callbacks(execute=True):
        requisition = requisition_submit_from_basket(
            user=world.requester,
            agency=world.agency,
            basket=basket,
            budget_line=world.line,
            kode_rup="41552026",
            purpose="Konsumsi rapat koordinasi posyandu",
            delivery_address="Puskesmas Jemursari, Jl. Jemursari No. 197, Surabaya",
            needed_by=timezone.localdate() + timedelta(days=5),
            contact_name="Rina Wulandari",
            contact_phone="0812-3456-7890",
        )
        requisition_decide(requisition=requisition, user=world.pp, decision=Decision.APPROVE)
    requisition.refresh_from_db()
    mail.outbox.clear()
    return requisition


def _seller_client(client, shop):
    client.login(username=shop.users.first().username, password=DEFAULT_PASSWORD)
    return client


def test_the_seller_of_an_official_order_sees_the_agency_contact_kode_rup_date_and_address(
    world, client, django_capture_on_commit_callbacks
):
    # given an approved requisition whose contact phone was typed the local way
    requisition = _approved(world, django_capture_on_commit_callbacks)
    assert requisition.contact_phone == "+6281234567890"
    order = Order.objects.get(checkout_reference=requisition.reference, seller=world.ani)
    seller = _seller_client(client, world.ani)
    # when the seller opens the order and its printable sheet
    detail_url = reverse("sellers:centre-order-detail", kwargs={"number": order.number})
    page = seller.get(detail_url).content.decode()
    sheet = seller.get(reverse("sellers:centre-order-print", kwargs={"number": order.number}))
    # then both carry what the seller needs to deliver to the agency
    with translation.override(settings.LANGUAGE_CODE):
        needed_by = date_filter(requisition.needed_by, "l, j F Y")
    for body in (page, sheet.content.decode()):
        assert f'data-official-order="{requisition.reference}"' in body
        assert world.agency.name in body and "41552026" in body
        assert "Rina Wulandari" in body and 'href="tel:+6281234567890"' in body and "0812-3456-7890" in body
        assert "Puskesmas Jemursari" in body
        assert needed_by in body
    assert reverse("sellers:centre-order-print", kwargs={"number": order.number}) in page
    # and the sheet is laid out for printing, with the shop's lines only
    assert sheet.status_code == 200 and "peken/print.css" in sheet.content.decode()
    assert "Beras Premium 5 kg" in sheet.content.decode()
    assert "Nasi Kotak Ayam Bakar" not in sheet.content.decode()
    css = (Path(settings.BASE_DIR) / "static" / "peken" / "print.css").read_text()
    assert "@media print" in css


def test_a_personal_order_shows_no_official_block(world, client):
    # given a shopper's own order at the same shop
    record = world.beras.stockrecords.first()
    order = order_create(user=UserFactory(), lines=[(record, 1)], number="PKN-UJI-1")
    # when the seller opens it, then no agency block is shown
    page = (
        _seller_client(client, world.ani)
        .get(reverse("sellers:centre-order-detail", kwargs={"number": order.number}))
        .content.decode()
    )
    assert "data-official-order" not in page


def test_the_requester_is_emailed_when_a_seller_accepts_sends_or_rejects(
    world, django_capture_on_commit_callbacks
):
    # given an approved requisition with one order per seller
    requisition = _approved(world, django_capture_on_commit_callbacks)
    ani = Order.objects.get(checkout_reference=requisition.reference, seller=world.ani)
    darto = Order.objects.get(checkout_reference=requisition.reference, seller=world.darto)
    ani_user, darto_user = world.ani.users.first(), world.darto.users.first()
    # when one seller accepts and sends, and the other rejects with a reason
    with django_capture_on_commit_callbacks(execute=True):
        order_status_change(order=ani, actor=ani_user, party=Party.SELLER, status=OrderStatus.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        order_status_change(order=ani, actor=ani_user, party=Party.SELLER, status=OrderStatus.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        order_status_change(
            order=darto,
            actor=darto_user,
            party=Party.SELLER,
            status=OrderStatus.REJECTED,
            reason="Dapur tutup minggu ini",
        )
    # then the requester got one email per move, naming the order, the seller and the status
    told = [m for m in mail.outbox if m.to == [world.requester.email]]
    assert len(told) == 3
    assert ani.number in told[0].subject and "Diproses penjual" in told[0].subject
    assert "Toko Sembako Bu Ani" in told[0].subject and requisition.reference in told[0].body
    assert "Dikirim" in told[1].subject
    assert "Ditolak penjual" in told[2].subject and "Dapur tutup minggu ini" in told[2].body
    # and the rejected order's amount went back to the budget line, as before
    line = BudgetLine.objects.get(pk=world.line.pk)
    assert line.committed == Decimal("150000")


def test_the_contact_phone_must_be_an_indonesian_number_and_is_stored_as_e164(world):
    # given the ways people type a phone number
    assert phone_e164("0812-3456-7890") == "+6281234567890"
    assert phone_e164("+62 31 5312144") == "+62315312144"
    assert phone_e164("") == ""
    # when it is not an Indonesian number, then it is refused by the service and by the form
    for wrong in ("12345", "+1 202 555 0143", "nomor saya"):
        with pytest.raises(ProcurementError):
            phone_e164(wrong)
    data = {
        "budget_line": world.line.pk,
        "purpose": "Rapat",
        "delivery_address": "Jl. Jemursari 197",
        "needed_by": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "contact_name": "Rina",
        "contact_phone": "12345",
    }
    form = RequisitionSubmitForm(data, agency=world.agency)
    assert not form.is_valid() and "contact_phone" in form.errors
    form = RequisitionSubmitForm(data | {"contact_phone": "031-5312144"}, agency=world.agency)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["contact_phone"] == "+62315312144"


def test_marketplace_apps_never_import_procurement():
    # given the marketplace apps' source
    root = Path(settings.BASE_DIR)
    offenders = []
    for app in ("orders", "sellers", "checkout", "payments", "catalogue_ext"):
        for path in (root / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                offenders += [
                    f"{path.relative_to(root)}: {n}"
                    for n in names
                    if n.split(".")[0] in {"procurement", "reports"}
                ]
    # then none of them imports procurement or reports (official buying hooks in through signals)
    assert offenders == []
