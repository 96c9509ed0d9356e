"""An auditor reads a requisition's trail and spots a tampered entry,
in headless Chromium on a phone and on a desktop."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import load_workbook

from procurement.models import AuditEntry, Membership
from procurement.services import (
    approval_policy_default,
    delegation_create,
    requisition_cancel,
    requisition_decide,
)
from procurement.statuses import Decision, Role
from tests.browser.conftest import DESKTOP, open_menu, sign_in
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.procurement_factories import (
    AgencyFactory,
    RequisitionFactory,
    RequisitionLineFactory,
    person_with_roles,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _history():
    """Dinas Kesehatan's requisition: returned by a delegate acting for the PP, then withdrawn."""
    agency = AgencyFactory(name="Dinas Kesehatan", code="dinkes")
    approval_policy_default(agency=agency, actor=None)
    requester = person_with_roles(agency=agency, roles=[Role.REQUESTER], email="andi@dinkes.contoh.id")
    requester.first_name, requester.last_name = "Andi", "Prasetyo"
    requester.save()
    pp = person_with_roles(agency=agency, roles=[Role.PROCUREMENT_OFFICIAL], email="rina@dinkes.contoh.id")
    pp.first_name, pp.last_name = "Rina", "Wulandari"
    pp.save()
    delegate = UserFactory(email="bagus@dinkes.contoh.id", first_name="Bagus", last_name="Santoso")
    Membership.objects.create(user=delegate, agency=agency, role=Role.TREASURER)
    requisition = RequisitionFactory(
        agency=agency,
        requester=requester,
        reference="PGD-DINKES-0007",
        purpose="Konsumsi rapat posyandu balita se-Kecamatan Wonokromo",
        total=Decimal("1750000"),
    )
    RequisitionLineFactory(
        requisition=requisition, title="Nasi Kotak Ayam Bakar", quantity=50, unit_price=Decimal("25000")
    )
    RequisitionLineFactory(
        requisition=requisition, title="Air Mineral 600 ml (dus)", quantity=10, unit_price=Decimal("50000")
    )
    today = timezone.localdate()
    delegation_create(
        agency=agency,
        delegator=pp,
        delegate=delegate,
        role=Role.PROCUREMENT_OFFICIAL,
        start=today,
        end=today + timedelta(days=3),
        actor=pp,
        ip="10.20.30.40",
    )
    requisition_decide(
        requisition=requisition,
        user=delegate,
        decision=Decision.RETURN,
        comment="Lengkapi jumlah peserta rapat",
        ip="10.20.30.41",
    )
    requisition_cancel(
        requisition=requisition, user=requester, reason="Rapat ditunda bulan depan", ip="10.20.30.42"
    )
    for n in range(3):
        RequisitionFactory(
            agency=AgencyFactory(name=f"Kecamatan Uji {n}", code=f"kec-uji-{n}"),
            reference=f"PGD-KEC-{n:04d}",
            total=Decimal(400000 * (n + 1)),
        )
    return requisition


def test_an_auditor_reads_a_requisitions_trail_and_sees_a_tampered_entry(open_page, shots, screen):
    # given an auditor of the Inspektorat and a requisition with a history
    person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.contoh.id")
    requisition = _history()
    page = open_page(screen)
    sign_in(page, "apip@inspektorat.contoh.id", DEFAULT_PASSWORD)

    # when they open Audit from the header and filter the list by agency
    page.goto("/")
    open_menu(page)
    page.get_by_role("link", name="Audit").click()
    shots(page, "audit-list")
    page.select_option("#audit-opd", label="Dinas Kesehatan")
    page.get_by_role("button", name="Saring").click()
    assert page.locator(".audit-row").count() == 1
    shots(page, "audit-list-filtered")

    # then the history names who acted for whom, from where, and what changed
    page.get_by_text("PGD-DINKES-0007").click()
    page.wait_for_selector("[data-chain=utuh]")
    trail = page.locator(".audit-trail").inner_text()
    assert "Bagus Santoso atas nama Rina Wulandari" in trail
    assert "IP 10.20.30.41" in trail and "Membatalkan permintaan" in trail
    assert "Mengembalikan permintaan untuk revisi di langkah 1 (Pejabat Pengadaan)" in trail
    shots(page, "audit-detail")

    # when they download the history as XLSX, then the spreadsheet says the same, row by row
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename == "riwayat-PGD-DINKES-0007.xlsx"
    with open(download.value.path(), "rb") as file:
        rows = [[cell.value for cell in row] for row in load_workbook(file).active.iter_rows()]
    assert rows[0][:4] == ["No.", "Waktu (WIB)", "Tindakan", "Oleh"]
    assert [row[2] for row in rows[1:]] == [
        "Mengembalikan permintaan untuk revisi di langkah 1 (Pejabat Pengadaan)",
        "Membatalkan permintaan",
    ]
    assert rows[1][3:5] == ["Bagus Santoso", "Rina Wulandari"]

    # when a DBA edits the decision's comment behind the application's back
    entry = AuditEntry.objects.get(requisition=requisition, action="requisition.decide.kembalikan")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE procurement_auditentry DISABLE TRIGGER auditentry_append_only")
        cursor.execute(
            "UPDATE procurement_auditentry SET after = jsonb_set(after, '{comment}', '\"OK\"') "
            "WHERE seq = %s",
            [entry.seq],
        )
        cursor.execute("ALTER TABLE procurement_auditentry ENABLE TRIGGER auditentry_append_only")
    page.reload()
    # then the page says which entry no longer fits
    assert f"Entri #{entry.seq} tidak cocok" in page.locator("[data-chain=rusak]").inner_text()
    shots(page, "audit-detail-tampered")

    desk = open_page(DESKTOP)
    sign_in(desk, "apip@inspektorat.contoh.id", DEFAULT_PASSWORD)
    desk.goto("/pengadaan/audit/")
    shots(desk, "audit-list-desktop")
    desk.goto("/pengadaan/audit/PGD-DINKES-0007/")
    shots(desk, "audit-detail-desktop")

    # and the whole trail shows the delegation, with the tampered entry marked
    page.goto("/pengadaan/audit/")
    page.get_by_role("link", name="Jejak audit lengkap", exact=False).click()
    assert "Mendelegasikan peran Pejabat Pengadaan dari Rina Wulandari kepada Bagus Santoso" in (
        page.locator(".audit-trail").inner_text()
    )
    assert page.locator(f"#entri-{entry.seq}.border-danger").count() == 1
    shots(page, "audit-trail")
    desk.goto("/pengadaan/audit/jejak/")
    shots(desk, "audit-trail-desktop")
