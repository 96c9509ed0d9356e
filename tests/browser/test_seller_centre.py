"""A seller runs their shop and a verifier approves the new listing,
in headless Chromium on a phone and on a desktop."""

import pytest
from django.contrib.auth.models import Permission
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import ListingStatus
from tests.browser.conftest import DESKTOP, open_menu, sign_in
from tests.factories import DEFAULT_PASSWORD, UserFactory, _tiny_jpeg, category_create, seller_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Product = get_model("catalogue", "Product")


def test_seller_adds_a_product_updates_stock_by_csv_and_a_verifier_approves_it(
    open_page, shots, tmp_path, screen
):
    # given an active shop whose owner is signed in
    seller_create(name="Warung Bu Tini", email="tini@contoh.id")
    category_create("Kerupuk", parent=category_create("Makanan Ringan"))
    verifier = UserFactory(email="dewi@dinkopdag.surabaya.go.id", username="dewi")
    verifier.user_permissions.add(Permission.objects.get(codename="verify_seller"))
    photo = tmp_path / "kerupuk.jpg"
    photo.write_bytes(_tiny_jpeg())
    page = open_page(screen)
    sign_in(page, "tini@contoh.id", DEFAULT_PASSWORD)

    # when they open the seller centre from the header and add a product with a picture
    page.goto("/")
    open_menu(page)
    page.get_by_role("link", name="Pusat penjual").click()
    shots(page, "centre-home")
    page.get_by_role("link", name="Tambah produk").first.click()
    page.fill("#id_title", "Kerupuk Udang Sidoarjo 500 gram")
    page.fill("#id_description", "Kerupuk udang asli, renyah, tanpa pengawet.")
    page.select_option("#id_category", label="Makanan Ringan › Kerupuk")
    page.set_input_files("#id_images", str(photo))
    page.fill("#id_price", "0")
    page.fill("#id_stock", "25")
    page.select_option("#id_unit", "pack")
    shots(page, "product-form")
    page.get_by_role("button", name="Simpan produk").click()
    # a price of zero is refused in Indonesian, and the picture must be chosen again
    assert "Harga harus lebih dari 0." in page.locator("body").inner_text()
    shots(page, "product-form-error")
    page.fill("#id_price", "18.500")
    page.set_input_files("#id_images", str(photo))
    page.get_by_role("button", name="Simpan produk").click()

    # then it is listed in the centre, on sale and waiting for review
    body = page.locator("body").inner_text()
    assert "Kerupuk Udang Sidoarjo 500 gram" in body and "Tayang, menunggu pemeriksaan" in body
    shots(page, "products")
    product = Product.objects.get()
    sku = product.stockrecords.get().partner_sku

    # when they download the template and upload it with a new price and stock
    page.get_by_role("link", name="Harga & stok").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh templat CSV").click()
    template = download.value.path().read_bytes().decode("utf-8-sig")
    assert sku in template
    csv_file = tmp_path / "stok.csv"
    csv_file.write_text(f"sku;judul;harga;stok\r\n{sku};Kerupuk;19.000;40\r\n", encoding="utf-8-sig")
    page.set_input_files("#id_file", str(csv_file))
    page.get_by_role("button", name="Unggah dan periksa").click()

    # then the change is previewed old -> new, and applied only once confirmed
    preview = page.locator(".peken-stock-preview").inner_text()
    assert sku in preview and "19.000" in preview and "40" in preview
    shots(page, "stock-preview")
    assert product.stockrecords.get().num_in_stock != 40
    page.get_by_role("button", name="Konfirmasi dan terapkan").click()
    assert "1 baris diubah dari stok.csv." in page.locator("body").inner_text()
    shots(page, "stock-update")
    page.get_by_role("link", name="Produk").first.click()
    assert "Rp19.000" in page.locator("body").inner_text() and "stok 40" in page.locator("body").inner_text()
    shots(page, "products-after-csv")
    page.get_by_role("link", name="Penjualan").click()
    shots(page, "sales")
    page.get_by_role("link", name="Pesanan").click()
    shots(page, "orders")

    # when a verifier approves the listing from the curation queue
    desk = open_page(screen)
    sign_in(desk, verifier.email, DEFAULT_PASSWORD)
    desk.goto("/penjual/verifikasi/produk/")
    shots(desk, "verifier-queue")
    desk.get_by_role("link", name="Kerupuk Udang Sidoarjo 500 gram").click()
    shots(desk, "verifier-listing")
    desk.check("input[name=decision][value=approve]")
    desk.get_by_role("button", name="Simpan keputusan").click()

    # then the listing is approved, and the seller sees it so
    assert "tersimpan" in desk.locator("body").inner_text()
    product.refresh_from_db()
    assert product.listing_status == ListingStatus.APPROVED
    page.goto("/penjual/pusat/produk/")
    assert "Disetujui" in page.locator("body").inner_text()
    shots(page, "products-approved")
    page.set_viewport_size(DESKTOP["viewport"])
    shots(page, "products-desktop")
