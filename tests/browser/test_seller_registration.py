"""A shop owner registers their shop and a verifier approves it,
in headless Chromium on a phone and on a desktop."""

import pytest
from oscar.core.loading import get_model

from sellers.abstract_models import SellerStatus
from tests.browser.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, PartnerFactory, UserFactory, _tiny_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Partner = get_model("partner", "Partner")


def test_owner_registers_a_shop(open_page, shots, tmp_path, screen):
    # given an owner with a Peken account
    owner = UserFactory(email="ningsih@contoh.id", username="ningsih")
    photo = tmp_path / "toko.jpg"
    photo.write_bytes(_tiny_jpeg())
    page = open_page(screen)
    sign_in(page, owner.email, DEFAULT_PASSWORD)

    # when they fill in the registration form, first with a short KTP number
    page.goto("/penjual/daftar/")
    page.fill("#id_name", "Kue Basah Bu Ningsih")
    page.check("input[name=kind][value=umkm]")
    page.set_input_files("#id_photo", str(photo))
    page.check("input[name=made_locally][value=True]")
    page.fill("#id_owner_name", "Ningsih Rahayu")
    page.fill("#id_ktp_number", "3578 0145 0289 000")
    page.fill("#id_phone", "0812 3456 7890")
    page.check("input[name=low_income_household][value=False]")
    page.fill("#id_nib", "9120301234567")
    page.fill("#id_npwp", "01.234.567.4-614.000")
    page.check("input[name=is_pkp][value=False]")
    page.fill("#id_annual_sales", "350.000.000")
    page.check("input[name=has_pp55][value=False]")
    page.fill("#id_bank_name", "Bank Jatim")
    page.fill("#id_bank_account_number", "0011223344")
    page.fill("#id_bank_account_holder", "Ningsih Rahayu")
    page.fill("#id_street", "Jl. Kalibokor Selatan No. 12")
    page.select_option("#id_kecamatan", "Gubeng")
    # only Gubeng's kelurahan are offered once Gubeng is chosen
    offered = page.locator("#id_kelurahan option:not([disabled])").all_inner_texts()
    assert "Pucang Sewu" in offered and "Genteng" not in offered
    page.select_option("#id_kelurahan", "Pucang Sewu")
    page.fill("#id_postcode", "60283")
    shots(page, "form")
    page.locator("form.peken-form button[type=submit]").click()

    # then the form says what is wrong and keeps what was typed, the photo included (shown)
    assert "NIK harus 16 angka" in page.locator("body").inner_text()
    assert page.input_value("#id_name") == "Kue Basah Bu Ningsih"
    held = page.locator("#held_photo img")
    assert held.is_visible() and held.evaluate("img => img.complete && img.naturalWidth > 0")
    shots(page, "form-error")
    assert not Partner.objects.exists()

    # when they correct the NIK and send, without choosing the photo again
    page.fill("#id_ktp_number", "3578 0145 0289 0003")
    page.locator("form.peken-form button[type=submit]").click()

    # then their shop waits for verification, with the photo
    page.wait_for_url("**/penjual/toko-saya/")
    assert "Menunggu verifikasi" in page.locator("body").inner_text()
    shots(page, "pending")
    shop = Partner.objects.get()
    assert shop.status == SellerStatus.PENDING and shop.photo


def test_verifier_approves_a_shop_from_the_queue(open_page, shots, verifier, screen):
    # given a shop waiting for verification and a Dinkopdag verifier
    shop = PartnerFactory(
        name="Kue Basah Bu Ningsih",
        status=SellerStatus.PENDING,
        kecamatan="Gubeng",
        kelurahan="Pucang Sewu",
        nib="9120301234567",
        owner_name="Ningsih Rahayu",
    )
    page = open_page(screen)
    sign_in(page, verifier.email, DEFAULT_PASSWORD)

    # when the verifier opens the queue and the shop, and approves it
    page.goto("/penjual/verifikasi/")
    shots(page, "queue")
    page.locator("a", has_text="Kue Basah Bu Ningsih").click()
    assert "9120301234567" in page.locator("body").inner_text()
    page.check("input[name=status][value=aktif]")
    shots(page, "decide")
    page.locator("form.card button[type=submit]").click()

    # then the queue is empty and the shop is active
    page.wait_for_url("**/penjual/verifikasi/")
    assert "Tidak ada toko yang menunggu" in page.locator("body").inner_text()
    shots(page, "queue-after")
    shop.refresh_from_db()
    assert shop.status == SellerStatus.ACTIVE
