"""The official purchase's story in headless Chromium, with a screenshot of every step.

(1) A requester switches to official buying, fills a basket from two sellers and
submits it against a budget line; the Pejabat Pengadaan approves and, the amount
being above the PP limit, the PPK approves too; each seller finds their order in
the seller centre; an auditor reads the trail. (2) A requisition is returned for
revision, revised and resubmitted, then rejected, and the budget line's available
amount is what it was.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from procurement.models import BudgetLine, Requisition
from procurement.services import approval_policy_default
from procurement.statuses import RequisitionStatus, Role
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.factories import DEFAULT_PASSWORD, product_create, seller_create
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, person_with_roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Order = get_model("order", "Order")


def named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def office(settings):
    # a small PP limit, so the PPK's step is needed for a basket of a few hundred thousand rupiah
    settings.PEKEN_APPROVAL_PP_LIMIT = 500_000
    agency = AgencyFactory(
        name="Dinas Kesehatan", code="dinkes", address="Jl. Jemursari No. 197, Wonokromo, Surabaya"
    )
    admin = person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email="admin@dinkes.go.id")
    approval_policy_default(agency=agency, actor=admin)
    people = {
        "requester": named(
            person_with_roles(agency=agency, roles=[Role.REQUESTER], email="rina@dinkes.go.id"),
            "Rina",
            "Wulandari",
        ),
        "pp": named(
            person_with_roles(agency=agency, roles=[Role.PROCUREMENT_OFFICIAL], email="budi@dinkes.go.id"),
            "Budi",
            "Santoso",
        ),
        "ppk": named(
            person_with_roles(agency=agency, roles=[Role.COMMITMENT_OFFICIAL], email="citra@dinkes.go.id"),
            "Citra",
            "Lestari",
        ),
        "auditor": named(
            person_with_roles(agency=None, roles=[Role.AUDITOR], email="eko@inspektorat.go.id"),
            "Eko",
            "Prasetyo",
        ),
    }
    line = BudgetLineFactory(
        agency=agency,
        ceiling=Decimal("25000000"),
        account_code="5.1.02.01.01.0052",
        description="Belanja Makanan dan Minuman Rapat",
        sub_activity="Penyelenggaraan Rapat Koordinasi Posyandu",
    )
    sembako = seller_create(name="Toko Sembako Bu Ani", email="ani@toko.id")
    katering = seller_create(name="Katering Pak Darto", email="darto@katering.id")
    products = {
        "air": product_create(title="Air Mineral 600 ml isi 24", price=Decimal("52000"), partner=sembako),
        "nasi": product_create(title="Nasi Kotak Ayam Bakar", price=Decimal("27500"), partner=katering),
    }
    return {"agency": agency, "line": line, "sembako": sembako, "katering": katering, **people, **products}


def as_person(open_page, user, screen=DESKTOP):
    page = open_page(screen)
    sign_in(page, user.email, DEFAULT_PASSWORD)
    return page


def add_to_basket(page, product, quantity: int) -> None:
    page.goto(product.get_absolute_url())
    page.fill("#id_quantity", str(quantity))
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.wait_for_load_state()


def official_basket_submitted(page, office, shots, *, air: int, nasi: int, purpose: str) -> Requisition:
    """The requester switches to official buying, fills the basket from both sellers and submits it."""
    page.goto("/")
    page.get_by_role("button", name="Belanja dinas (Dinas Kesehatan)").click()
    page.wait_for_load_state()
    assert "Mode belanja dinas: Dinas Kesehatan" in page.locator(".peken-mode-band").inner_text()
    shots(page, "mode-belanja-dinas")
    add_to_basket(page, office["air"], air)
    add_to_basket(page, office["nasi"], nasi)
    page.goto("/basket/")
    shots(page, "keranjang-dinas")
    page.get_by_role("link", name="Ajukan permintaan").click()
    page.wait_for_url("**/pengadaan/ajukan/")
    body = page.locator("body").inner_text()
    assert "Toko Sembako Bu Ani" in body and "Katering Pak Darto" in body
    page.select_option("#id_budget_line", str(office["line"].pk))
    page.fill("#id_kode_rup", "RUP-2026-41552")
    page.fill("#id_purpose", purpose)
    page.fill("#id_needed_by", (timezone.localdate() + timedelta(days=5)).isoformat())
    page.fill("#id_contact_phone", "0812 3456 7890")
    shots(page, "ajukan-permintaan")
    page.get_by_role("button", name="Ajukan permintaan").click()
    page.wait_for_url("**/pengadaan/permintaan/RQ-*/")
    assert "Menunggu persetujuan · langkah 1: Pejabat Pengadaan" in page.locator("body").inner_text()
    shots(page, "permintaan-diajukan")
    return Requisition.objects.get(requester=office["requester"], purpose=purpose)


def decide(page, requisition, shots, *, decision: str, comment: str = "", shot: str) -> None:
    page.goto("/pengadaan/persetujuan/")
    page.get_by_role("link", name=requisition.reference).click()
    page.wait_for_url(f"**/pengadaan/persetujuan/{requisition.reference}/")
    page.check(f"input[name=decision][value={decision}]")
    if comment:
        page.fill("#id_comment", comment)
    shots(page, shot)
    page.get_by_role("button", name="Kirim keputusan").click()
    page.wait_for_url("**/pengadaan/persetujuan/")


def test_official_basket_of_two_sellers_approved_by_pp_and_ppk_reaches_the_sellers(
    office, open_page, shots, screen
):
    # given a requester (on a phone, or on a desktop)
    requester = as_person(open_page, office["requester"], screen)
    # when they submit an official basket of two sellers: 24 × 52.000 + 40 × 27.500 = Rp2.348.000
    requisition = official_basket_submitted(
        requester, office, shots, air=24, nasi=40, purpose="Konsumsi rapat koordinasi kader posyandu se-Kota"
    )
    assert requisition.total == Decimal("2348000")
    requester.goto("/pengadaan/permintaan/")
    assert "Langkah 1: Pejabat Pengadaan" in requester.locator("body").inner_text()
    shots(requester, "permintaan-saya")

    # then the Pejabat Pengadaan sees it in the header count and approves
    pp = as_person(open_page, office["pp"], screen)
    pp.goto("/")
    assert pp.locator("[data-inbox-count]").inner_text() == "1"
    pp.goto("/pengadaan/persetujuan/")
    shots(pp, "kotak-persetujuan-pp")
    decide(pp, requisition, shots, decision="setuju", shot="keputusan-pp")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.SUBMITTED

    # and above the PP limit the PPK approves too
    ppk = as_person(open_page, office["ppk"], screen)
    decide(ppk, requisition, shots, decision="setuju", comment="Sesuai DPA.", shot="keputusan-ppk")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED
    assert BudgetLine.objects.get(pk=office["line"].pk).available == Decimal("25000000") - Decimal("2348000")
    requester.goto(f"/pengadaan/permintaan/{requisition.reference}/")
    body = requester.locator("body").inner_text()
    assert "Disetujui" in body and body.count("Setujui") >= 2
    shots(requester, "permintaan-disetujui")

    # then each seller finds their own order in the seller centre
    orders = {o.seller_id: o for o in Order.objects.filter(checkout_reference=requisition.reference)}
    assert set(orders) == {office["sembako"].pk, office["katering"].pk}
    for seller, email in ((office["sembako"], "ani@toko.id"), (office["katering"], "darto@katering.id")):
        page = open_page(screen)
        sign_in(page, email, DEFAULT_PASSWORD)
        page.goto("/penjual/pusat/pesanan/")
        assert orders[seller.pk].number in page.locator("body").inner_text()
        shots(page, f"pesanan-{seller.name.split()[0].lower()}")

    # and an auditor reads the trail of the requisition
    auditor = as_person(open_page, office["auditor"], screen)
    response = auditor.goto(f"/pengadaan/audit/{requisition.reference}/")
    assert response.status == 200
    assert requisition.reference in auditor.locator("body").inner_text()
    shots(auditor, "jejak-audit")


def test_returned_revised_resubmitted_then_rejected_leaves_the_budget_untouched(
    office, open_page, shots, screen
):
    available = BudgetLine.objects.get(pk=office["line"].pk).available
    # given a submitted official basket
    requester = as_person(open_page, office["requester"], screen)
    requisition = official_basket_submitted(
        requester, office, shots, air=10, nasi=60, purpose="Konsumsi pelatihan kader jumantik"
    )
    # when the Pejabat Pengadaan returns it for revision
    pp = as_person(open_page, office["pp"], screen)
    decide(
        pp,
        requisition,
        shots,
        decision="kembalikan",
        comment="Peserta hanya 40 orang; kurangi nasi kotak.",
        shot="dikembalikan",
    )
    # then the requester revises the quantity and submits it again
    requester.goto(f"/pengadaan/permintaan/{requisition.reference}/")
    assert "Dikembalikan untuk revisi" in requester.locator("body").inner_text()
    requester.get_by_role("link", name="Revisi dan ajukan ulang").click()
    nasi_line = requisition.lines.get(seller=office["katering"])
    requester.fill(f"#id_qty_{nasi_line.pk}", "40")
    shots(requester, "revisi")
    requester.get_by_role("button", name="Simpan dan ajukan ulang").click()
    requester.wait_for_url(f"**/pengadaan/permintaan/{requisition.reference}/")
    shots(requester, "diajukan-ulang")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.SUBMITTED and requisition.total == Decimal("1620000")
    # when the Pejabat Pengadaan rejects it
    decide(
        pp,
        requisition,
        shots,
        decision="tolak",
        comment="Kegiatan dibatalkan oleh kepala dinas.",
        shot="ditolak",
    )
    # then it is rejected and the budget line's available amount is what it was
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REJECTED
    assert BudgetLine.objects.get(pk=office["line"].pk).available == available
    requester.goto(f"/pengadaan/permintaan/{requisition.reference}/")
    body = requester.locator("body").inner_text()
    assert "Ditolak" in body and "Kegiatan dibatalkan" in body
    assert requester.locator("[data-available]").inner_text() == "Rp25.000.000"
    shots(requester, "permintaan-ditolak")


def test_an_approver_delegates_on_a_phone_and_the_delegate_approves_on_their_behalf(
    office, open_page, shots, settings
):
    settings.PEKEN_APPROVAL_PP_LIMIT = 200_000_000
    approval_policy_default(agency=office["agency"], actor=office["pp"])
    colleague = named(
        person_with_roles(agency=office["agency"], roles=[Role.TREASURER], email="dedi@dinkes.go.id"),
        "Dedi",
        "Kurniawan",
    )
    # given the Pejabat Pengadaan, going on leave, delegates to a colleague for three days
    pp = as_person(open_page, office["pp"], PHONE)
    pp.goto("/pengadaan/delegasi/")
    pp.select_option("#id_delegate", str(colleague.pk))
    pp.select_option("#id_role", Role.PROCUREMENT_OFFICIAL)
    today = timezone.localdate()
    pp.fill("#id_start", today.isoformat())
    pp.fill("#id_end", (today + timedelta(days=3)).isoformat())
    pp.get_by_role("button", name="Delegasikan").click()
    pp.wait_for_load_state()
    assert "Kepada Dedi Kurniawan" in pp.locator("body").inner_text()
    shots(pp, "delegasi")
    # when a requester submits an official basket
    requester = as_person(open_page, office["requester"], PHONE)
    requisition = official_basket_submitted(
        requester, office, shots, air=5, nasi=20, purpose="Konsumsi rapat evaluasi program imunisasi"
    )
    # then the delegate sees it counted in the header and approves it on the PP's behalf
    delegate = as_person(open_page, colleague, PHONE)
    delegate.goto("/")
    strip = delegate.locator(".peken-inbox-strip")  # the menu is folded on a phone; this strip is not
    assert strip.is_visible() and "1 permintaan menunggu persetujuan Anda" in strip.inner_text()
    shots(delegate, "beranda-delegasi")
    strip.click()
    delegate.wait_for_url("**/pengadaan/persetujuan/")
    assert delegate.locator("[data-inbox-count]").get_attribute("data-inbox-count") == "1"
    shots(delegate, "kotak-persetujuan-delegasi")
    decide(delegate, requisition, shots, decision="setuju", shot="keputusan-delegasi")
    requester.goto(f"/pengadaan/permintaan/{requisition.reference}/")
    assert "Dedi Kurniawan atas nama Budi Santoso" in requester.locator("body").inner_text()
    shots(requester, "atas-nama")
