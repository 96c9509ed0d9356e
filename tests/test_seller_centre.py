"""The seller centre: a shop manages its own products, prices and stock, orders and sales."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import ListingStatus
from orders.statuses import OrderStatus
from sellers.abstract_models import StockUpdateSource
from tests.factories import (
    DEFAULT_PASSWORD,
    _tiny_jpeg,
    category_create,
    order_create,
    product_create,
    seller_create,
)

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
StockUpdate = get_model("partner", "StockUpdate")
ListingDecision = get_model("catalogue", "ListingDecision")


@pytest.fixture
def shop(db):
    return seller_create(name="Warung Bu Tini", email="tini@contoh.id")


@pytest.fixture
def seller_client(shop):
    client = Client()
    client.login(username="tini@contoh.id", password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def beras(db):
    return category_create("Beras", parent=category_create("Sembako"))


def picture(name="beras.jpg"):
    return SimpleUploadedFile(name, _tiny_jpeg(), content_type="image/jpeg")


def product_form(leaf, **overrides):
    data = {
        "title": "Beras Pandan Wangi 5 kg",
        "description": "Beras pulen panen Jombang.",
        "category": leaf.pk,
        "images": [picture()],
        "price": "72.500",
        "stock": "40",
        "unit": "pcs",
        "min_order_quantity": "1",
        "halal_certificate_number": "",
        "made_locally": "on",
    }
    data.update(overrides)
    return data


def csv_upload(client, text: str | bytes, name="stok.csv"):
    content = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        reverse("sellers:centre-stock-upload"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


# --- access


def test_the_centre_is_only_for_users_with_a_shop(shop, seller_client, shopper_client):
    assert seller_client.get(reverse("sellers:centre-home")).status_code == 200
    assert "Warung Bu Tini" in seller_client.get(reverse("sellers:centre-home")).content.decode()
    assert shopper_client.get(reverse("sellers:centre-home")).status_code == 403
    anonymous = Client().get(reverse("sellers:centre-home"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_user_with_two_shops_picks_one_and_cannot_pick_another_users(shop, seller_client):
    second = seller_create(name="Kue Bu Tini", email="lain@contoh.id")
    second.users.add(shop.users.get())
    stranger = seller_create(name="Toko Orang Lain", email="orang@contoh.id")
    page = seller_client.get(reverse("sellers:centre-home"), {"toko": second.pk}).content.decode()
    assert "Kue Bu Tini" in page
    # the choice is remembered
    assert "Kue Bu Tini" in seller_client.get(reverse("sellers:centre-products")).content.decode()
    assert seller_client.get(reverse("sellers:centre-home"), {"toko": stranger.pk}).status_code == 404


# --- products


def test_a_seller_adds_a_product_with_a_picture_and_it_goes_on_sale_pending_review(
    shop, seller_client, beras, client
):
    # when the seller fills in the product form
    response = seller_client.post(reverse("sellers:centre-product-create"), product_form(beras))

    # then the product exists with one stock record of this shop, a picture and its fields
    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get()
    record = StockRecord.objects.get(product=product)
    assert (record.partner, record.price, record.num_in_stock) == (shop, 72500, 40)
    assert record.partner_sku == f"PKN-{product.pk:07d}"
    assert product.images.count() == 1 and product.made_locally
    assert list(product.categories.all()) == [beras]
    # it is on sale at once and waits for a verifier (post-moderation), recorded as the seller's submission
    assert product.listing_status == ListingStatus.PENDING
    decision = ListingDecision.objects.get(product=product)
    assert decision.actor == shop.users.get() and decision.new_status == ListingStatus.PENDING
    assert client.get(product.get_absolute_url()).status_code == 200
    # the price and stock it started with are recorded too
    assert StockUpdate.objects.get(seller=shop).source == StockUpdateSource.FORM


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "", "Nama produk wajib diisi."),
        ("price", "0", "Harga harus lebih dari 0."),
        ("price", "12.500,50", "rupiah utuh"),
        ("price", "-100", "tidak boleh negatif"),
        ("price", "2.5", "Tulis ribuan dengan titik"),  # never Rp25
        ("price", "15,000", "Pakai titik untuk ribuan"),
        ("stock", "-1", "Stok tidak boleh negatif."),
        ("stock", "dua", "Stok harus bilangan bulat."),
        ("min_order_quantity", "0", "Minimal pembelian paling sedikit 1."),
        ("category", "999999", "Pilih kategori dari daftar."),
        ("images", [], "Unggah minimal satu foto produk."),
    ],
)
def test_a_bad_product_field_is_explained_and_nothing_is_saved(seller_client, beras, field, value, message):
    create = reverse("sellers:centre-product-create")
    response = seller_client.post(create, product_form(beras, **{field: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Product.objects.exists()


def test_a_non_image_file_is_refused(seller_client, beras):
    fake = SimpleUploadedFile("beras.jpg", b"not a picture", content_type="image/jpeg")
    create = reverse("sellers:centre-product-create")
    response = seller_client.post(create, product_form(beras, images=[fake]))
    assert "gambar JPG atau PNG" in " ".join(response.context["form"].errors["images"])


def test_editing_the_title_sends_the_listing_back_to_review_but_a_price_change_does_not(
    shop, seller_client, beras
):
    seller_client.post(reverse("sellers:centre-product-create"), product_form(beras))
    product = Product.objects.get()
    Product.objects.filter(pk=product.pk).update(listing_status=ListingStatus.APPROVED)
    edit = reverse("sellers:centre-product-edit", kwargs={"pk": product.pk})
    assert "Beras Pandan Wangi" in seller_client.get(edit).content.decode()

    # when only the price and stock change
    seller_client.post(edit, product_form(beras, images=[], price="75000", stock="12"))
    product.refresh_from_db()
    record = product.stockrecords.get()
    # then the listing stays approved and the change is recorded
    assert product.listing_status == ListingStatus.APPROVED
    assert (record.price, record.num_in_stock) == (75000, 12)
    update = StockUpdate.objects.filter(seller=shop).first()
    assert update.changes[0]["price_old"] == 72500 and update.changes[0]["price_new"] == 75000

    # when the title changes
    seller_client.post(
        edit,
        product_form(beras, images=[], title="Beras Pandan Wangi Premium 5 kg", price="75000", stock="12"),
    )
    product.refresh_from_db()
    # then it goes back into the queue (still on sale)
    assert product.title == "Beras Pandan Wangi Premium 5 kg"
    assert product.listing_status == ListingStatus.PENDING
    assert "judul" in product.decisions.first().reason


def test_the_last_picture_cannot_be_removed(seller_client, beras):
    seller_client.post(reverse("sellers:centre-product-create"), product_form(beras))
    product = Product.objects.get()
    image = product.images.get()
    response = seller_client.post(
        reverse("sellers:centre-product-edit", kwargs={"pk": product.pk}),
        product_form(beras, images=[], remove_images=[image.pk]),
    )
    assert "minimal satu foto" in " ".join(response.context["form"].errors["remove_images"])
    assert product.images.count() == 1


# --- CSV


@pytest.fixture
def stocked(shop):
    products = [
        product_create(title=f"Gula Pasir {i} kg", partner=shop, price=15000, stock=10) for i in (1, 2, 3)
    ]
    return [p.stockrecords.get() for p in products]


def test_the_template_lists_the_shops_own_skus_with_a_bom_and_semicolons(shop, seller_client, stocked):
    other = product_create(title="Minyak Toko Lain", partner=seller_create(name="Lain", email="l@contoh.id"))
    response = seller_client.get(reverse("sellers:centre-stock-csv"))
    body = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeffsku;judul;harga;stok\r\n")
    for record in stocked:
        assert f"{record.partner_sku};{record.product.title};15000;10" in body
    assert other.stockrecords.get().partner_sku not in body


def csv_confirm(client, response):
    """Press the preview page's confirm button."""
    return client.post(reverse("sellers:centre-stock-confirm"), {"digest": response.context["digest"]})


@pytest.mark.parametrize("separator, bom", [(";", True), (",", False)])
def test_a_good_csv_applies_every_row_and_is_recorded(shop, seller_client, stocked, separator, bom):
    # given the downloaded template edited in Excel
    rows = ["sku;judul;harga;stok".replace(";", separator)]
    rows += [
        separator.join([r.partner_sku, r.product.title, f"{20000 + i}", f"{5 + i}"])
        for i, r in enumerate(stocked)
    ]
    content = ("\ufeff" if bom else "") + "\r\n".join(rows) + "\r\n"
    # when it is uploaded and the preview confirmed
    preview = csv_upload(seller_client, content, name="stok-baru.csv")
    assert preview.status_code == 200
    response = csv_confirm(seller_client, preview)
    # then every row applies and the upload is recorded: who, file, rows, old and new values
    assert response.status_code == 302
    for i, record in enumerate(stocked):
        record.refresh_from_db()
        assert (record.price, record.num_in_stock) == (20000 + i, 5 + i)
    upload = StockUpdate.objects.get(source=StockUpdateSource.CSV)
    assert (upload.seller, upload.actor, upload.file_name, upload.rows_applied) == (
        shop,
        shop.users.get(),
        "stok-baru.csv",
        3,
    )
    assert upload.changes[0]["price_old"] == 15000 and upload.changes[0]["price_new"] == 20000
    page = seller_client.get(response["Location"]).content.decode()
    assert "stok-baru.csv" in page and stocked[0].partner_sku in page


def test_an_upload_shows_each_change_with_warnings_and_applies_nothing_before_confirmation(
    shop, seller_client, stocked
):
    # given three SKUs at Rp15.000 and stock 10, one of them with 6 units taken by open orders
    a, b, c = stocked
    StockRecord.objects.filter(pk=c.pk).update(num_allocated=6)
    unchanged = product_create(title="Garam Dapur", partner=shop, price=15000, stock=10).stockrecords.get()
    content = "\n".join(
        [
            "sku;judul;harga;stok",
            f"{a.partner_sku};x;46000;10",  # price more than 3x up
            f"{b.partner_sku};x;4999;12",  # price more than 3x down, stock up
            f"{c.partner_sku};x;15000;5",  # stock below the 6 reserved
            f"{unchanged.partner_sku};x;15000;10",  # no change
        ]
    )
    # when it is uploaded
    response = csv_upload(seller_client, content)
    # then the preview lists the three changed rows old -> new, each with its warning
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [(r.sku, r.price_old, r.price_new, r.stock_old, r.stock_new) for r in preview.changes] == [
        (a.partner_sku, 15000, 46000, 10, 10),
        (b.partner_sku, 15000, 4999, 10, 12),
        (c.partner_sku, 15000, 15000, 10, 5),
    ]
    assert preview.unchanged == 1
    assert [r.warnings for r in preview.changes] == [
        ["Harga naik lebih dari 3 kali lipat."],
        ["Harga turun lebih dari 3 kali lipat."],
        ["Stok 5 di bawah 6 yang sudah dipesan pembeli."],
    ]
    page = response.content.decode()
    assert "3 baris akan diubah" in page and "1 baris tidak berubah" in page
    assert "Harga naik lebih dari 3 kali lipat." in page and "yang sudah dipesan pembeli" in page
    assert unchanged.partner_sku not in page and "Konfirmasi dan terapkan" in page
    # and nothing is applied or recorded yet
    for record in (a, b, c, unchanged):
        record.refresh_from_db()
        assert (record.price, record.num_in_stock) == (15000, 10)
    assert not StockUpdate.objects.filter(source=StockUpdateSource.CSV).exists()

    # when the seller confirms
    done = csv_confirm(seller_client, response)
    # then the changed rows apply, and the count says how many rows changed
    assert done.status_code == 302
    b.refresh_from_db()
    assert (b.price, b.num_in_stock) == (4999, 12)
    upload = StockUpdate.objects.get(source=StockUpdateSource.CSV)
    assert upload.rows_applied == 3 and [row["sku"] for row in upload.changes] == [
        a.partner_sku,
        b.partner_sku,
        c.partner_sku,
    ]
    assert "3 baris diubah dari stok.csv." in seller_client.get(done["Location"]).content.decode()


def test_small_price_changes_and_stock_at_the_reserved_level_carry_no_warning(shop, seller_client, stocked):
    # given stock 10 with 4 reserved
    a, b, _c = stocked
    StockRecord.objects.filter(pk=b.pk).update(num_allocated=4)
    # when the price triples exactly and the stock goes down to what is reserved
    content = f"sku;harga;stok\n{a.partner_sku};45000;10\n{b.partner_sku};5000;4\n"
    response = csv_upload(seller_client, content)
    # then no row is flagged
    assert [r.warnings for r in response.context["preview"].changes] == [[], []]


def test_stock_changed_after_the_preview_is_said_and_nothing_is_applied(shop, seller_client, stocked):
    # given a previewed file setting stock to 20
    a = stocked[0]
    preview = csv_upload(seller_client, f"sku;harga;stok\n{a.partner_sku};15000;20\n")
    # when an order takes stock before the seller confirms
    StockRecord.objects.filter(pk=a.pk).update(num_in_stock=8)
    response = csv_confirm(seller_client, preview)
    # then the seller is told, sees the new old value, and nothing is applied
    assert response.status_code == 200
    assert "berubah sejak pratinjau" in response.content.decode()
    assert [(r.stock_old, r.stock_new) for r in response.context["preview"].changes] == [(8, 20)]
    a.refresh_from_db()
    assert a.num_in_stock == 8
    assert not StockUpdate.objects.filter(source=StockUpdateSource.CSV).exists()
    # and confirming the refreshed preview applies it
    assert csv_confirm(seller_client, response).status_code == 302
    a.refresh_from_db()
    assert a.num_in_stock == 20


def test_a_sku_gone_after_the_preview_is_reported_on_confirmation_and_nothing_is_applied(
    shop, seller_client, stocked
):
    # given a previewed file changing two SKUs
    a, b, _c = stocked
    preview = csv_upload(seller_client, f"sku;harga;stok\n{a.partner_sku};15000;3\n{b.partner_sku};15000;4\n")
    # when one of them is renamed before the seller confirms
    StockRecord.objects.filter(pk=b.pk).update(partner_sku="DIGANTI")
    response = csv_confirm(seller_client, preview)
    # then the file is checked again, its bad line is reported, and not even the good row applies
    assert response.status_code == 200
    assert dict(response.context["csv_errors"]) == {3: f"SKU {b.partner_sku} tidak dikenal di toko Anda."}
    a.refresh_from_db()
    assert a.num_in_stock == 10
    assert not StockUpdate.objects.filter(source=StockUpdateSource.CSV).exists()


def test_confirming_applies_only_the_file_last_previewed_and_only_once(shop, seller_client, stocked):
    # given a first file previewed, then a second one previewed in another tab
    a = stocked[0]
    first = csv_upload(seller_client, f"sku;harga;stok\n{a.partner_sku};15000;1\n")
    second = csv_upload(seller_client, f"sku;harga;stok\n{a.partner_sku};15000;2\n")
    # when the first tab's confirm is pressed
    response = csv_confirm(seller_client, first)
    # then nothing is applied: that preview is gone
    assert response.status_code == 302 and response["Location"] == reverse("sellers:centre-stock-upload")
    a.refresh_from_db()
    assert a.num_in_stock == 10
    # when the second is confirmed twice, it applies once
    assert csv_confirm(seller_client, second).status_code == 302
    assert csv_confirm(seller_client, second)["Location"] == reverse("sellers:centre-stock-upload")
    a.refresh_from_db()
    assert a.num_in_stock == 2
    assert StockUpdate.objects.filter(source=StockUpdateSource.CSV).count() == 1


def test_a_csv_with_bad_rows_reports_each_line_and_applies_nothing(shop, seller_client, stocked):
    other = seller_create(name="Lain", email="l@contoh.id")
    other_shop_sku = product_create(partner=other).stockrecords.get()
    a, b, c = (r.partner_sku for r in stocked)
    content = "\n".join(
        [
            "sku;judul;harga;stok",
            f"{a};ok;21000;7",  # line 2: fine
            f"{b};x;12.500,50;3",  # line 3: not whole rupiah
            "TIDAK-ADA;x;1000;1",  # line 4: unknown SKU
            f"{other_shop_sku.partner_sku};x;1000;1",  # line 5: another shop's SKU counts as unknown
            f"{c};x;-500;1",  # line 6: negative price
            f"{c};x;1000;-2",  # line 7: duplicate SKU and negative stock
            f"{a};x;1000;lima",  # line 8: duplicate SKU, stock not a number
            ";x;1000;1",  # line 9: no SKU
        ]
    )
    response = csv_upload(seller_client, content)
    assert response.status_code == 200
    errors = dict(response.context["csv_errors"])
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9]
    assert "bukan bilangan bulat rupiah" in errors[3]
    assert "TIDAK-ADA tidak dikenal" in errors[4]
    assert "tidak dikenal di toko Anda" in errors[5]
    assert "Harga harus lebih dari 0" in errors[6]
    assert "sudah ada di baris 6" in errors[7] and "Stok tidak boleh negatif" in errors[7]
    assert "sudah ada di baris 2" in errors[8] and "lima" in errors[8]
    assert "SKU kosong" in errors[9]
    page = response.content.decode()
    assert "Baris 4" in page and "tidak ada baris yang diterapkan" in page
    # nothing applied, not even the good line 2, and nothing recorded
    for record in stocked + [other_shop_sku]:
        old = (record.price, record.num_in_stock)
        record.refresh_from_db()
        assert (record.price, record.num_in_stock) == old
    assert not StockUpdate.objects.filter(source=StockUpdateSource.CSV).exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "Berkas kosong"),
        (b"\xef\xbb\xbf\r\n", "Berkas kosong"),
        (b"sku;harga\nA;1000\n", "Kolom wajib tidak ada: stok"),
        ("sku;judul;harga;stok\nA;Gula Pasir;1000;1\n".encode("utf-16"), "bukan teks UTF-8"),
        (b"sku;judul;harga;stok\n", "tidak berisi baris produk"),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_message(seller_client, stocked, content, message):
    response = csv_upload(seller_client, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StockUpdate.objects.filter(source=StockUpdateSource.CSV).exists()


def test_latin1_file_from_old_excel_is_refused(seller_client, stocked):
    row = f"{stocked[0].partner_sku};Gula Pasir Aren Café;1000;1"
    content = f"sku;judul;harga;stok\n{row}\n".encode("latin-1")
    response = csv_upload(seller_client, content)
    assert "bukan teks UTF-8" in response.context["csv_errors"][0][1]


# --- orders and sales


def test_an_order_shows_only_this_shops_lines_and_their_total(shop, seller_client, shopper):
    mine = product_create(title="Teh Melati Tubruk", partner=shop, price=8000).stockrecords.get()
    neighbour = seller_create(name="Toko Sebelah", email="s@contoh.id")
    theirs = product_create(title="Kopi Bubuk Kapal Api", price=12000, partner=neighbour).stockrecords.get()
    order = order_create(user=shopper, lines=[(mine, 2), (theirs, 3)], number="PKN-1001")

    listing = seller_client.get(reverse("sellers:centre-orders")).content.decode()
    assert "PKN-1001" in listing and "Rp16.000" in listing and "Rp52.000" not in listing
    detail = seller_client.get(reverse("sellers:centre-order-detail", kwargs={"number": order.number}))
    page = detail.content.decode()
    assert "Teh Melati Tubruk" in page and "Rp16.000" in page
    assert "Kopi Bubuk Kapal Api" not in page and "Rp36.000" not in page and "Rp52.000" not in page
    assert "peken-order-actions" in page  # the fulfilment partial is included


def test_sales_count_accepted_orders_only_on_the_summary_and_the_home_tile(shop, seller_client, shopper):
    # given an accepted order, a received one, and a cancelled, a new and a rejected one
    teh = product_create(title="Teh Melati Tubruk", partner=shop, price=8000).stockrecords.get()
    gula = product_create(title="Gula Aren Cair", partner=shop, price=20000).stockrecords.get()
    order_create(user=shopper, lines=[(teh, 5), (gula, 1)], number="PKN-1", status=OrderStatus.ACCEPTED)
    order_create(user=shopper, lines=[(teh, 1)], number="PKN-2", status=OrderStatus.RECEIVED)
    order_create(user=shopper, lines=[(gula, 9)], number="PKN-3", status=OrderStatus.CANCELLED)
    order_create(user=shopper, lines=[(gula, 2)], number="PKN-4", status=OrderStatus.NEW)
    order_create(user=shopper, lines=[(teh, 4)], number="PKN-5", status=OrderStatus.REJECTED)

    # when the seller opens the sales summary and the centre's home
    ctx = seller_client.get(reverse("sellers:centre-sales")).context
    home = seller_client.get(reverse("sellers:centre-home")).content.decode()

    # then only the two accepted orders are sales, on both pages
    assert ctx["totals"]["total"] == 68000 and ctx["totals"]["orders"] == 2
    assert [(r["title"], r["items"]) for r in ctx["best_sellers"]] == [
        ("Teh Melati Tubruk", 6),
        ("Gula Aren Cair", 1),
    ]
    assert {r["order__status"]: r["total"] for r in ctx["by_status"]} == {
        OrderStatus.ACCEPTED: 60000,
        OrderStatus.RECEIVED: 8000,
        OrderStatus.CANCELLED: 180000,
        OrderStatus.NEW: 40000,
        OrderStatus.REJECTED: 32000,
    }
    assert [r["total"] for r in ctx["by_month"]] == [68000]
    tile = home[home.index("peken-centre-sales") :]
    assert "Rp68.000" in tile[:400] and "2 pesanan diterima" in tile[:400]


# --- query counts


def _queries(client, url) -> int:
    client.get(url)  # warm per-process caches (site, thumbnails) as a running server has them
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _rows(shop, shopper, start, count):
    for i in range(start, start + count):
        record = product_create(title=f"Barang {i}", partner=shop, image=True).stockrecords.get()
        order_create(user=shopper, lines=[(record, 1)], number=f"Q-{i}")
        StockUpdate.objects.create(
            seller=shop,
            actor=shopper,
            source=StockUpdateSource.CSV,
            file_name=f"{i}.csv",
            rows_applied=1,
            changes=[{"sku": record.partner_sku}],
        )


def test_centre_list_pages_cost_the_same_queries_for_3_or_30_rows(shop, seller_client, shopper):
    urls = [
        reverse(f"sellers:{name}")
        for name in ("centre-home", "centre-products", "centre-orders", "centre-sales", "centre-stock-upload")
    ]
    _rows(shop, shopper, 0, 3)
    small = {url: _queries(seller_client, url) for url in urls}
    _rows(shop, shopper, 3, 27)
    large = {url: _queries(seller_client, url) for url in urls}
    assert large == small
    print("seller centre queries per page:", small)
    page = seller_client.get(reverse("sellers:centre-products")).content.decode()
    assert page.count("peken-centre-item-title") == 20  # a full page of rows was rendered


def test_csv_template_costs_the_same_queries_for_3_or_30_skus(shop, seller_client, shopper):
    url = reverse("sellers:centre-stock-csv")
    _rows(shop, shopper, 0, 3)
    small = _queries(seller_client, url)
    _rows(shop, shopper, 3, 27)
    assert _queries(seller_client, url) == small
    assert seller_client.get(url).content.decode().count("\r\n") == 31
