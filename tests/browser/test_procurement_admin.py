"""An agency admin on a phone assigns a role, imports the DPA from CSV and edits a budget line."""

from decimal import Decimal

import pytest

from procurement import services
from procurement.models import BudgetLine, Membership
from procurement.statuses import Role
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.procurement_factories import UnitFactory, person_with_roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "kode_sub_kegiatan;nama_sub_kegiatan;kode_rekening;uraian;sumber_dana;pagu"
S = "1.02.01.2.06.0009;Penyelenggaraan Rapat Koordinasi dan Konsultasi SKPD"


def test_agency_admin_assigns_a_role_imports_the_budget_and_edits_a_line(open_page, shots, tmp_path):
    # given Dinas Kesehatan with its admin, a unit, and a colleague who has a Peken account
    platform = UserFactory(email="diskominfo@contoh.id", is_staff=True, is_superuser=True)
    agency = services.agency_create(
        name="Dinas Kesehatan",
        code="dinkes",
        kecamatan="Wonocolo",
        address="Jl. Jemursari No. 197, Surabaya",
        actor=platform,
    )
    UnitFactory(agency=agency, name="Bidang Kesehatan Masyarakat")
    admin = person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email="admin.dinkes@contoh.id")
    person_with_roles(agency=agency, roles=[Role.PROCUREMENT_OFFICIAL], email="pp.dinkes@contoh.id")
    UserFactory(email="rina@contoh.id", first_name="Rina", last_name="Wulandari")
    page = open_page(PHONE)
    sign_in(page, "admin.dinkes@contoh.id", DEFAULT_PASSWORD)

    # when the admin opens Admin OPD from the header
    page.goto("/")
    page.locator('button[data-target="#navbarSupportedContent"]').click()
    page.get_by_role("link", name="Admin OPD").click()
    assert (
        "Dinas Kesehatan" in page.locator("h1, .peken-centre-head").first.inner_text()
        or "Dinas Kesehatan" in page.locator("body").inner_text()
    )
    shots(page, "agency")

    # and grants Rina the requester role in a unit
    page.get_by_role("link", name="Pegawai & peran").click()
    page.fill("#id_email", "rina@contoh.id")
    page.select_option("#id_role", Role.REQUESTER.value)
    page.select_option("#id_unit", label="Bidang Kesehatan Masyarakat")
    page.get_by_role("button", name="Berikan peran").click()
    # then she is listed with the role
    assert "Rina Wulandari kini memegang peran Pemohon" in page.locator("body").inner_text()
    assert Membership.objects.filter(user__email="rina@contoh.id", role=Role.REQUESTER).exists()
    shots(page, "members")

    # when a DPA file with a bad row is uploaded, then the row is named and nothing applied
    page.get_by_role("link", name="Anggaran").click()
    shots(page, "budget-empty")
    page.get_by_role("link", name="Impor CSV (format SIPD)").click()
    bad = tmp_path / "dpa-salah.csv"
    bad.write_text(
        f"{HEADER}\n{S};5.1.02.01.01.0052;Belanja Makanan dan Minuman Rapat;DAU;450.000.000\n"
        f"{S};5.1.2.1.1.24;Belanja ATK;PAD;dua juta\n",
        encoding="utf-8-sig",
    )
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Unggah dan terapkan").click()
    errors = page.locator(".peken-csv-errors").inner_text()
    assert "Baris 3" in errors and "tidak sah" in errors and "bukan bilangan bulat rupiah" in errors
    assert not BudgetLine.objects.exists()
    shots(page, "import-errors")

    # when the corrected file is uploaded, then the budget page shows each line's figures
    good = tmp_path / "dpa.csv"
    good.write_text(
        f"{HEADER}\n{S};5.1.02.01.01.0052;Belanja Makanan dan Minuman Rapat;DAU;450.000.000\n"
        f"{S};5.1.02.01.01.0024;Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Tulis Kantor;PAD;"
        "250.000.000\n",
        encoding="utf-8-sig",
    )
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Unggah dan terapkan").click()
    body = page.locator("body").inner_text()
    assert "2 baris baru" in body and "Rp450.000.000" in body and "Rp700.000.000" in body
    shots(page, "budget")

    # when a line with money committed gets a ceiling below it, then the reason is shown
    line = BudgetLine.objects.get(account_code="5.1.02.01.01.0052")
    BudgetLine.objects.filter(pk=line.pk).update(committed=Decimal("120000000"))
    page.locator(f"[data-account-code='{line.account_code}']").get_by_role("link", name="Ubah").click()
    page.fill("#id_ceiling", "100.000.000")
    page.get_by_role("button", name="Simpan").click()
    assert "Pagu paling kecil Rp120.000.000" in page.locator("body").inner_text()
    shots(page, "edit-refused")
    page.fill("#id_ceiling", "400.000.000")
    page.get_by_role("button", name="Simpan").click()
    assert "Rp280.000.000" in page.locator("body").inner_text()  # available: 400 - 120 juta
    shots(page, "budget-after-edit")

    # and the approval policy names who holds each step
    page.get_by_role("link", name="Alur persetujuan").click()
    assert "Belum ada pemegang peran ini" in page.locator("body").inner_text()
    shots(page, "policy")

    # when the admin revokes Rina's role after the confirmation page, then it is gone
    role = Membership.objects.get(user__email="rina@contoh.id")
    page.goto(f"/pengadaan/opd/dinkes/anggota/{role.pk}/cabut/")
    shots(page, "revoke-confirm")
    page.get_by_role("button", name="Ya, cabut peran").click()
    assert "dicabut" in page.locator("body").inner_text()
    assert not Membership.objects.filter(pk=role.pk).exists()

    # when the admin also administers a second agency, then Admin OPD lets them choose
    second = services.agency_create(
        name="Kecamatan Gubeng",
        code="kec-gubeng",
        kecamatan="Gubeng",
        address="Jl. Gubeng Kertajaya IX No. 55, Surabaya",
        actor=platform,
    )
    services.membership_grant(agency=second, user=admin, role=Role.AGENCY_ADMIN, actor=platform)
    page.goto("/pengadaan/opd/")
    assert "Kecamatan Gubeng" in page.locator("body").inner_text()
    shots(page, "choose-agency")

    # the same pages on a desktop
    desk = open_page(DESKTOP)
    sign_in(desk, "admin.dinkes@contoh.id", DEFAULT_PASSWORD)
    for name, url in (
        ("agency", ""),
        ("members", "anggota/"),
        ("budget", "anggaran/"),
        ("import", "anggaran/impor/"),
        ("policy", "persetujuan/"),
    ):
        desk.goto(f"/pengadaan/opd/dinkes/{url}")
        shots(desk, f"desktop-{name}")
