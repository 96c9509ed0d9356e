"""The receipt pages in headless Chromium on a phone and a desktop: the PPK finds the order from the
header, records a delivery (a refused one first, which keeps what was typed), and the requester reads
the result on the requisition's page. Every step is screenshotted and checked (width, axe).
"""

import pytest
from django.urls import reverse

from procurement.models import GoodsReceipt
from tests.browser.conftest import NARROW_PHONE, open_menu
from tests.browser.test_procurement_story import as_person
from tests.fulfilment_world import delivered, fulfilment_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    return fulfilment_world()


def test_the_ppk_records_a_delivery_and_the_requester_reads_it(world, open_page, shots, screen):
    # given two official orders on their way
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    beras = order.lines.get(product=world.beras)
    # when the PPK opens the header's "Penerimaan barang"
    ppk = as_person(open_page, world.ppk, screen)
    ppk.goto("/")
    open_menu(ppk)
    assert ppk.locator("[data-receipt-count]").inner_text() == "2"
    shots(ppk, "menu-penerimaan")
    ppk.locator(".nav-link", has_text="Penerimaan barang").click()
    ppk.wait_for_url("**/pengadaan/penerimaan/")
    shots(ppk, "kotak-penerimaan")
    ppk.get_by_role("link", name=order.number).click()
    ppk.wait_for_url(f"**{reverse('procurement:receipt', kwargs={'number': order.number})}")
    shots(ppk, "halaman-penerimaan")
    # and accepts more than arrived
    ppk.get_by_label("Jumlah datang: Beras Premium 5 kg").fill("20")
    ppk.get_by_label("Jumlah diterima baik: Beras Premium 5 kg").fill("22")
    ppk.get_by_label("Catatan").fill("Diantar sopir toko")
    ppk.get_by_role("button", name="Simpan BAST").click()
    ppk.wait_for_load_state()
    # then the page says why and keeps what was typed
    assert "melebihi yang datang" in ppk.locator("[data-refused]").inner_text()
    assert ppk.get_by_label("Jumlah datang: Beras Premium 5 kg").input_value() == "20"
    assert ppk.get_by_label("Catatan").input_value() == "Diantar sopir toko"
    shots(ppk, "penerimaan-ditolak")
    # when they correct it with a reason for the two torn sacks
    ppk.get_by_label("Jumlah diterima baik: Beras Premium 5 kg").fill("18")
    ppk.get_by_label("Alasan ditolak: Beras Premium 5 kg").fill("Karung sobek")
    ppk.get_by_role("button", name="Simpan BAST").click()
    ppk.wait_for_load_state()
    # then BAST 1 is recorded and shown
    assert "BAST nomor 1" in ppk.locator("body").inner_text()
    assert ppk.locator('[data-bast="1"]').is_visible()
    shots(ppk, "bast-tercatat")
    line = GoodsReceipt.objects.get(order=order).lines.get()
    assert (line.order_line_id, line.quantity_received, line.quantity_accepted) == (beras.pk, 20, 18)
    # and the requester sees it on the requisition's page, and the history (read only)
    requester = as_person(open_page, world.requester, screen)
    requester.goto(reverse("procurement:detail", kwargs={"reference": purchase.requisition.reference}))
    assert requester.locator(f'[data-order="{order.number}"] [data-bast-count="1"]').is_visible()
    shots(requester, "permintaan-dengan-bast")
    requester.locator(f'[data-order="{order.number}"] [data-receipt-link]').click()
    requester.wait_for_load_state()
    assert "Citra Uji" in requester.locator("[data-who-records]").inner_text()
    shots(requester, "riwayat-penerimaan")


def test_the_receipt_pages_fit_a_360px_phone(world, open_page, shots):
    # given an order with one BAST recorded, a partial rejection among it
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    ppk = as_person(open_page, world.ppk, NARROW_PHONE)
    ppk.goto(reverse("procurement:receipt", kwargs={"number": order.number}))
    ppk.get_by_label("Jumlah datang: Minyak Goreng 2 L").fill("10")
    ppk.get_by_label("Jumlah diterima baik: Minyak Goreng 2 L").fill("9")
    ppk.get_by_label("Alasan ditolak: Minyak Goreng 2 L").fill("Tutup botol bocor, minyak tumpah di kardus")
    ppk.get_by_role("button", name="Simpan BAST").click()
    ppk.wait_for_load_state()
    assert "BAST nomor 1" in ppk.locator("body").inner_text()
    # when the PPK, then the requester, open the pages on a 360 px phone, then each fits and passes axe
    shots(ppk, "penerimaan-360")
    ppk.goto(reverse("procurement:receipts"))
    shots(ppk, "kotak-penerimaan-360")
    requester = as_person(open_page, world.requester, NARROW_PHONE)
    requester.goto(reverse("procurement:detail", kwargs={"reference": purchase.requisition.reference}))
    shots(requester, "permintaan-360")
