"""A budget import lowering a ceiling while a final approval commits on the same line (PostgreSQL).

Whichever takes the line's row lock first wins; the other sees its result and
refuses with its own message. Neither meets the database's overdraw check.
"""

import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F

from procurement import services
from procurement.models import BudgetLine
from procurement.statuses import Decision, RequisitionStatus
from tests.concurrency import run_at_once
from tests.factories import CountryFactory, product_create, seller_create
from tests.procurement_factories import RequisitionFactory, RequisitionLineFactory, approval_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]
JUTA = Decimal("1000000")
SUB = "1.02.01.2.06.0009;Penyelenggaraan Rapat Koordinasi dan Konsultasi SKPD"


# the import starts a little later in some runs, so that the approval sometimes holds the line first
@pytest.mark.parametrize("import_delay", [0, 0.1])
def test_import_lowering_a_ceiling_and_an_approval_committing_cannot_both_win(settings, import_delay):
    # given a Rp10 juta line and a submitted Rp8 juta requisition against it
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    CountryFactory()
    world = approval_world()
    line = BudgetLine.objects.create(
        agency=world.agency,
        fiscal_year=world.line.fiscal_year,
        sub_activity=SUB.replace(";", " "),
        account_code="5.1.02.01.01.0052",
        description="Belanja Makanan dan Minuman Rapat",
        funding_source="PAD",
        ceiling=10 * JUTA,
    )
    shop = seller_create(name="Katering Bu Sri", email="sri@contoh.id")
    record = product_create(
        title="Nasi kotak rapat", price=8 * JUTA, partner=shop, stock=5
    ).stockrecords.get()
    requisition = RequisitionFactory(
        agency=world.agency, requester=world.requester, budget_line=line, total=8 * JUTA
    )
    RequisitionLineFactory(
        requisition=requisition,
        seller=shop,
        stockrecord=record,
        product=record.product,
        title=record.product.title,
        quantity=1,
        unit_price=8 * JUTA,
    )
    csv = (
        f"kode_sub_kegiatan;nama_sub_kegiatan;kode_rekening;uraian;sumber_dana;pagu\n"
        f"{SUB};5.1.02.01.01.0052;Belanja Makanan dan Minuman Rapat;PAD;5.000.000\n"
    ).encode()

    # when the agency admin imports a Rp5 juta ceiling as the PP gives the final approval
    approval, imported = run_at_once(
        [
            lambda: services.requisition_decide(
                requisition=requisition, user=world.pp, decision=Decision.APPROVE
            ),
            lambda: services.budget_lines_import(
                agency=world.agency, fiscal_year=line.fiscal_year, file=csv, actor=world.admin
            ),
        ],
        delays=[0, import_delay],
    )

    # then exactly one of them won, the other was refused in words, and the line is not overdrawn
    line.refresh_from_db()
    requisition.refresh_from_db()
    if requisition.status == RequisitionStatus.APPROVED:
        assert not isinstance(approval, Exception), approval
        assert imported.errors and imported.errors[0][0] == 2 and "Rp8.000.000" in imported.errors[0][1]
        assert (line.ceiling, line.committed) == (10 * JUTA, 8 * JUTA)
    else:
        assert isinstance(approval, services.BudgetExceeded), approval
        assert imported.ok and imported.updated == 1
        assert (line.ceiling, line.committed) == (5 * JUTA, 0)
    assert line.available >= 0


def test_import_waits_for_a_commitment_holding_the_line_and_then_refuses(settings):
    # given a Rp10 juta line, and a transaction that holds its row lock while committing Rp8 juta
    # (as final approval does) for half a second before it commits
    world = approval_world()
    line = BudgetLine.objects.create(
        agency=world.agency,
        fiscal_year=world.line.fiscal_year,
        sub_activity=SUB.replace(";", " "),
        account_code="5.1.02.01.01.0052",
        description="Belanja Makanan dan Minuman Rapat",
        ceiling=10 * JUTA,
    )
    csv = (
        f"kode_sub_kegiatan;nama_sub_kegiatan;kode_rekening;uraian;sumber_dana;pagu\n"
        f"{SUB};5.1.02.01.01.0052;Belanja Makanan dan Minuman Rapat;PAD;5.000.000\n"
    ).encode()

    def commit_slowly():
        with transaction.atomic():
            held = BudgetLine.objects.select_for_update().get(pk=line.pk)
            BudgetLine.objects.filter(pk=held.pk).update(committed=F("committed") + 8 * JUTA)
            time.sleep(0.5)

    # when the import of a Rp5 juta ceiling starts while that lock is held
    _held, imported = run_at_once(
        [
            commit_slowly,
            lambda: services.budget_lines_import(
                agency=world.agency, fiscal_year=line.fiscal_year, file=csv, actor=world.admin
            ),
        ],
        delays=[0, 0.1],
    )

    # then it waited, saw the Rp8 juta committed, and refused the row in words (no database error)
    assert not isinstance(imported, Exception), imported
    assert imported.errors == [
        (
            2,
            "Pagu Rp5.000.000 lebih kecil dari yang sudah terikat dan terealisasi "
            "pada baris anggaran ini (Rp8.000.000).",
        )
    ]
    line.refresh_from_db()
    assert (line.ceiling, line.committed) == (10 * JUTA, 8 * JUTA)
