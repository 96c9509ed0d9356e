"""The documents of an official purchase: numbering, idempotency, PDF contents, hash, verification, access."""

import hashlib
import subprocess
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from orders.services import order_status_change
from orders.statuses import OrderStatus, Party
from peken.money import rupiah_format, rupiah_words
from procurement.models import AuditEntry, DocumentCounter, Membership, OfficialDocument
from procurement.services import ReceivedLine, goods_receipt_record, official_payment_record, requisition_decide
from procurement.services import documents as issuer
from procurement.statuses import Decision, DocumentKind, PaymentMethod, RequisitionStatus, Role
from tests.concurrency import run_at_once
from tests.factories import UserFactory, product_create, seller_create
from tests.fulfilment_world import approved, delivered, fulfilment_world, sent
from tests.procurement_factories import person_with_roles

Order = get_model("order", "Order")
SHOTS = Path("/work/notes/docs-shots")
NIP = {"ppk": "198703152010012004", "receiver": "199001012015031002", "treasurer": "198512242009022001"}
NIP["requester"] = "199205052019032007"


def _nips(world):
    for key, nip in NIP.items():
        Membership.objects.filter(user=getattr(world, key), agency=world.agency).update(nip=nip)


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    world = fulfilment_world()
    _nips(world)
    world.ani.owner_name = "Ani Rahayu"
    world.ani.save(update_fields=["owner_name"])
    return world


def pdf_text(content: bytes) -> str:
    """The text of a PDF as pdftotext reads it (layout kept, so a table row stays on one line)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=bytes(content), capture_output=True, check=True
    )
    return result.stdout.decode()


def _issue(order, actor=None):
    return issuer.documents_issue_due(order_id=order.pk, actor_id=getattr(actor, "pk", None))


def _receive_all(world, order, *, rejected: dict | None = None, actor=None, on=None):
    rejected = rejected or {}
    lines = {
        line.pk: ReceivedLine(
            received=line.quantity,
            accepted=line.quantity - rejected.get(line.product_id, 0),
            reason="Kemasan rusak" if rejected.get(line.product_id) else "",
        )
        for line in order.lines.all()
    }
    return goods_receipt_record(
        order=order, actor=actor or world.ppk, received_on=on or timezone.localdate(), lines=lines
    )


def _pay(world, order):
    return official_payment_record(
        order=order,
        actor=world.treasurer,
        method=PaymentMethod.UP_TRANSFER,
        paid_on=timezone.localdate(),
        bank_reference="TRX-2026-0042",
    )


def _big_purchase(world, *, price: str, quantity: int):
    """An approved and sent order of ``quantity`` laptops from Ani at ``price`` (every approval step taken).

    The requisition also buys one lunch box from Darto, so paying Ani leaves its commitment live.
    """
    laptop = product_create(title="Laptop Kantor 14 inci", price=Decimal(price), partner=world.ani, stock=1000)
    requisition = approved(world, items=[(laptop, quantity), (world.nasi, 1)])
    for person in (world.ppk, world.pa):
        if requisition.status == RequisitionStatus.SUBMITTED:
            requisition_decide(requisition=requisition, user=person, decision=Decision.APPROVE)
            requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED
    order = Order.objects.get(checkout_reference=requisition.reference, seller=world.ani)
    return sent(order)


def test_one_of_each_kind_renders_fast_and_looks_right(world):
    # given a small purchase (nota), a kuitansi-band one, an SPK and one above the direct-purchase limit
    purchase = delivered(world)
    ani = purchase.orders[world.ani.pk]
    started = time.monotonic()
    issued = _issue(ani, world.ani.users.first())
    assert [d.kind for d in issued] == [DocumentKind.NOTA]
    print("first issue", time.monotonic() - started)
    _receive_all(world, ani, rejected={world.minyak.pk: 2}, actor=world.receiver)
    _pay(world, ani)
    issued += _issue(ani, world.treasurer)
    spk = _big_purchase(world, price="15000000", quantity=4)
    _receive_all(world, spk)
    issued += _issue(spk)
    big = _big_purchase(world, price="15000000", quantity=14)
    issued += _issue(big)
    mid = _big_purchase(world, price="4000000", quantity=5)
    _receive_all(world, mid)
    _pay(world, mid)
    issued += _issue(mid, world.treasurer)
    kinds = {d.kind for d in issued}
    assert kinds == {
        DocumentKind.NOTA,
        DocumentKind.BAST,
        DocumentKind.KUITANSI,
        DocumentKind.TAX_SUMMARY,
        DocumentKind.SPK,
        DocumentKind.SURAT_PERJANJIAN,
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in [*SHOTS.glob("*.png"), *SHOTS.glob("*.pdf")]:
        old.unlink()
    seen = set()
    for document in issued:
        name = f"{document.kind}{'-contract' if document.order_id == mid.pk else ''}"
        if name in seen:
            continue
        seen.add(name)
        path = SHOTS / f"{name}.pdf"
        path.write_bytes(bytes(document.content))
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(SHOTS / name)], check=True)
