"""The seller API: a till's price and stock sync, listings through curation, orders through the table."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model
from rest_framework.test import APIClient

from api.services import api_token_create
from catalogue_ext.abstract_models import ListingStatus
from orders.statuses import OrderStatus, Party
from peken import page_cache
from sellers.abstract_models import StockUpdateSource
from tests.factories import _tiny_jpeg, category_create, order_create, product_create, seller_create

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
StockUpdate = get_model("partner", "StockUpdate")
ListingDecision = get_model("catalogue", "ListingDecision")
OrderStatusChange = get_model("order", "OrderStatusChange")


def _client(user, scopes=("seller",), name="kasir toko") -> APIClient:
    _token, key = api_token_create(user=user, name=name, scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def shop(db):
    return seller_create(name="Toko Sembako Pak Darto", email="darto@contoh.id")


@pytest.fixture
def seller(shop):
    return shop.users.get()


@pytest.fixture
def till(seller):
    return _client(seller)


@pytest.fixture
def shelf(shop):
    """Three of the shop's products, each with its stock record."""
    return [
        product_create(title=title, price=Decimal(price), stock=stock, partner=shop).stockrecords.get()
        for title, price, stock in (
            ("Gula Pasir 1 kg", "15000", 10),
            ("Minyak Goreng 2 L", "36000", 5),
            ("Beras Pandan Wangi 5 kg", "72500", 8),
        )
    ]


def _url(name: str, shop, **kwargs) -> str:
    return reverse(f"api:v1:{name}", kwargs={"shop": shop.code, **kwargs})


def _values(records) -> list[tuple[Decimal, int]]:
    return [(r.price, r.num_in_stock) for r in StockRecord.objects.filter(pk__in=[r.pk for r in records])]


def test_a_till_syncs_prices_and_stock_in_bulk_and_the_change_is_recorded(
    shop, seller, till, shelf, django_capture_on_commit_callbacks
):
    # given a shop with three products, and its page version as the shared pages know it
    sugar, oil, rice = shelf
    version = cache.get(page_cache.VERSION_KEY)
    rows = [
        {"sku": sugar.partner_sku, "price": "16000", "stock": 7},
        {"sku": oil.partner_sku, "price": 36000, "stock": 5},  # as it is
        {"sku": rice.partner_sku, "price": "72500", "stock": 20},
    ]

    # when its till sends the rows
    with django_capture_on_commit_callbacks(execute=True):
        response = till.post(_url("seller-stock", shop), rows, format="json")

    # then the changed rows apply and each row says what it was and is
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [
        (r["sku"], r["price_old"], r["price"], r["stock_old"], r["stock"], r["changed"]) for r in body["rows"]
    ] == [
        (sugar.partner_sku, 15000, 16000, 10, 7, True),
        (oil.partner_sku, 36000, 36000, 5, 5, False),
        (rice.partner_sku, 72500, 72500, 8, 20, True),
    ]
    for record, want in zip(shelf, [(16000, 7), (36000, 5), (72500, 20)], strict=True):
        record.refresh_from_db()
        assert (record.price, record.num_in_stock) == want
    # and one audit row records who, from where and what, as a CSV upload is recorded
    update = StockUpdate.objects.get()
    assert body["stock_update"] == update.pk and body["rows_applied"] == 2
    assert (update.seller, update.actor, update.source) == (shop, seller, StockUpdateSource.API)
    assert update.file_name == "kasir toko"
    assert [
        (c["sku"], c["price_old"], c["price_new"], c["stock_old"], c["stock_new"]) for c in update.changes
    ] == [
        (sugar.partner_sku, 15000, 16000, 10, 7),
        (rice.partner_sku, 72500, 72500, 8, 20),
    ]
    # and the shared pages are dropped, and the public catalogue shows the new price
    assert cache.get(page_cache.VERSION_KEY) != version
    offer = APIClient().get(reverse("api:v1:product", kwargs={"pk": sugar.product_id})).json()["offers"][0]
    assert offer["price"] == "16000"

    # when the till sends the same rows again
    again = till.post(_url("seller-stock", shop), rows, format="json")
    # then nothing changes and nothing more is recorded
    assert again.status_code == 200
    assert again.json()["stock_update"] is None and not any(r["changed"] for r in again.json()["rows"])
    assert StockUpdate.objects.count() == 1


def test_a_batch_with_bad_rows_changes_nothing_and_names_each_row(shop, till, shelf):
    # given another shop's product, whose SKU this shop does not have
    other = seller_create(name="Toko Lain", email="lain@contoh.id")
    foreign = product_create(title="Kopi Bubuk", partner=other).stockrecords.get()
    sugar, oil, rice = shelf
    before = _values(shelf)
    rows = [
        {"sku": sugar.partner_sku, "price": "16000", "stock": 7},
        {"sku": oil.partner_sku, "price": "37000", "stock": 6},
        {"sku": rice.partner_sku, "price": "0", "stock": -1},
        {"sku": foreign.partner_sku, "price": "9000", "stock": 3},
        {"sku": sugar.partner_sku, "price": "16000", "stock": 7},
    ]

    # when the till sends them
    response = till.post(_url("seller-stock", shop), rows, format="json")

    # then it is refused, naming each bad row and field with the CSV's own messages
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"2.price", "2.stock", "3.sku", "4.sku"}
    assert error["fields"]["2.price"] == ["Harga harus lebih dari 0."]
    assert error["fields"]["2.stock"] == ["Stok tidak boleh negatif."]
    assert "tidak dikenal" in error["fields"]["3.sku"][0]
    assert "sudah ada di baris 0" in error["fields"]["4.sku"][0]
    # and no row changed, not even the good ones, and nothing is recorded
    assert _values(shelf) == before
    assert not StockUpdate.objects.exists()
    foreign.refresh_from_db()
    assert foreign.num_in_stock == 100


def test_a_row_that_is_not_a_whole_number_is_named_and_too_many_rows_are_refused(settings, shop, till, shelf):
    sugar = shelf[0]
    # when a row's price has cents
    rows = [{"sku": sugar.partner_sku, "price": "15000.5", "stock": 1}]
    response = till.post(_url("seller-stock", shop), rows, format="json")
    # then that row's field is named
    assert response.status_code == 400 and set(response.json()["error"]["fields"]) == {"0.price"}

    # when the body is one row, not a list of them, then the request as a whole is refused
    response = till.post(_url("seller-stock", shop), rows[0], format="json")
    assert response.status_code == 400 and set(response.json()["error"]["fields"]) == {"non_field_errors"}

    # given a row limit of 2 (PEKEN_CSV_MAX_ROWS, the file limit)
    settings.PEKEN_CSV_MAX_ROWS = 2
    rows = [{"sku": r.partner_sku, "price": "20000", "stock": 1} for r in shelf]
    # when 3 rows come
    response = till.post(_url("seller-stock", shop), rows, format="json")
    # then the request is refused as a whole and nothing changes
    assert response.status_code == 400
    assert "Paling banyak 2 baris" in response.json()["error"]["message"]
    assert not StockUpdate.objects.exists()


def _listing_form(category, **fields) -> dict:
    return {
        "title": "Keripik Tempe Pedas",
        "description": "Keripik tempe buatan rumah, 250 gram.",
        "category": category.pk,
        "price": "12000",
        "stock": "30",
        "unit": "pack",
        "made_locally": "true",
        "images": [SimpleUploadedFile("keripik.jpg", _tiny_jpeg(), content_type="image/jpeg")],
        **fields,
    }


def test_a_listing_created_through_the_api_goes_to_curation_like_the_page(settings, shop, seller, till):
    # given banned keywords, and a leaf category
    settings.PEKEN_HELD_KEYWORDS = ["rokok"]
    snacks = category_create("Camilan", parent=category_create("Makanan"))

    # when the seller's system adds a plain listing
    response = till.post(_url("seller-products", shop), _listing_form(snacks), format="multipart")
    # then it is on sale at once and waits for a verifier, as from the product page
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["listing_status"], body["on_sale"], body["price"], body["stock"]) == (
        ListingStatus.PENDING,
        True,
        "12000",
        30,
    )
    assert body["category"] == snacks.pk and len(body["images"]) == 1
    product = Product.objects.get(pk=body["id"])
    assert product.stockrecords.get().partner == shop
    assert ListingDecision.objects.get(product=product).actor == seller
    assert StockUpdate.objects.get(seller=shop).source == StockUpdateSource.API

    # when it adds one whose description names a banned word
    response = till.post(
        _url("seller-products", shop),
        _listing_form(snacks, title="Paket Camilan", description="Bonus rokok kretek"),
        format="multipart",
    )
    # then it is held off sale until a verifier approves it
    assert response.status_code == 201
    held = Product.objects.get(pk=response.json()["id"])
    assert held.listing_status == ListingStatus.HELD and not response.json()["on_sale"]
    assert "rokok" in ListingDecision.objects.get(product=held).reason

    # when a listing comes without a picture, the page's rule answers, naming the field
    response = till.post(_url("seller-products", shop), _listing_form(snacks, images=[]), format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["images"] == ["Unggah minimal satu foto produk."]


def test_a_price_edit_keeps_the_listing_approved_and_a_title_edit_sends_it_back(shop, till):
    # given an approved listing
    product = product_create(title="Sambal Bawang", price=Decimal("18000"), stock=4, partner=shop, image=True)
    snacks = category_create("Sambal")
    product.categories.add(snacks)
    Product.objects.filter(pk=product.pk).update(listing_status=ListingStatus.APPROVED)
    url = _url("seller-product", shop, pk=product.pk)

    # when only the price and stock are sent
    response = till.patch(url, {"price": "19000", "stock": 9}, format="json")
    # then they change, recorded in the shop's history, and the listing stays approved
    assert response.status_code == 200, response.json()
    assert (response.json()["price"], response.json()["stock"]) == ("19000", 9)
    assert response.json()["listing_status"] == ListingStatus.APPROVED
    change = StockUpdate.objects.get(seller=shop)
    assert change.source == StockUpdateSource.API and change.changes[0]["price_old"] == 18000

    # when the title changes
    response = till.patch(url, {"title": "Sambal Bawang Super Pedas"}, format="json")
    # then the listing goes back into the verifiers' queue
    assert response.status_code == 200
    assert response.json()["listing_status"] == ListingStatus.PENDING
    assert response.json()["title"] == "Sambal Bawang Super Pedas"

    # when a field breaks the page's rules
    response = till.patch(url, {"price": "-5"}, format="json")
    # then the field is named and nothing changes
    assert response.status_code == 400 and "price" in response.json()["error"]["fields"]


@pytest.fixture
def order(shop, shelf, shopper):
    """A new delivered order of the shop, its 2 units allocated as checkout leaves them."""
    placed = order_create(user=shopper, lines=[(shelf[0], 2)], number="PKN-UJI-0001")
    shelf[0].allocate(2)
    placed.shipping_method, placed.shipping_code = "Diantar", "antar"
    placed.save(update_fields=["shipping_method", "shipping_code"])
    return placed


def test_the_shop_accepts_and_ships_an_order_and_a_move_off_the_table_is_refused(shop, seller, till, order):
    # given the shop's new order, listed with the moves it allows now
    listed = till.get(_url("seller-orders", shop)).json()
    assert [o["number"] for o in listed["results"]] == [order.number]
    assert set(listed["results"][0]["moves"]) == {OrderStatus.ACCEPTED, OrderStatus.REJECTED}
    detail = till.get(_url("seller-order", shop, number=order.number)).json()
    assert [(line["sku"], line["quantity"]) for line in detail["lines"]] == [
        (order.lines.get().partner_sku, 2)
    ]

    # when the shop accepts it, then ships it
    move = _url("seller-order-status", shop, number=order.number)
    accepted = till.post(move, {"status": OrderStatus.ACCEPTED}, format="json")
    sent = till.post(move, {"status": OrderStatus.SENT}, format="json")

    # then each move is made as the seller, through the status table
    assert accepted.status_code == 200 and accepted.json()["status"] == OrderStatus.ACCEPTED
    assert (
        sent.status_code == 200 and sent.json()["status"] == OrderStatus.SENT and sent.json()["moves"] == []
    )
    changes = OrderStatusChange.objects.filter(order=order).exclude(old_status="").order_by("pk")
    assert [(c.old_status, c.new_status, c.actor, c.party) for c in changes] == [
        (OrderStatus.NEW, OrderStatus.ACCEPTED, seller, Party.SELLER),
        (OrderStatus.ACCEPTED, OrderStatus.SENT, seller, Party.SELLER),
    ]

    # when the shop tries a move the table does not give it (marking it received)
    refused = till.post(move, {"status": OrderStatus.RECEIVED}, format="json")
    # then it is a 409 with the service's message, and the order stays sent
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "order_status_refused"
    assert "tidak bisa diubah" in refused.json()["error"]["message"]
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT


def test_rejecting_needs_a_reason(shop, till, order):
    move = _url("seller-order-status", shop, number=order.number)
    # when the shop rejects without a reason, then it is refused
    assert till.post(move, {"status": OrderStatus.REJECTED}, format="json").status_code == 409
    # when with one, then the order is rejected
    response = till.post(move, {"status": OrderStatus.REJECTED, "reason": "Stok habis"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == OrderStatus.REJECTED


def test_another_shops_seller_reaches_none_of_this_shops_objects(shop, shelf, order):
    # given the seller of another shop, with a token of every scope
    other = seller_create(name="Toko Tetangga", email="tetangga@contoh.id")
    client = _client(other.users.get(), scopes=("seller", "read", "procurement"))
    product = shelf[0].product_id
    calls = [
        ("get", _url("seller-products", shop), None),
        ("post", _url("seller-products", shop), {"title": "x"}),
        ("get", _url("seller-product", shop, pk=product), None),
        ("patch", _url("seller-product", shop, pk=product), {"stock": 1}),
        ("post", _url("seller-stock", shop), [{"sku": shelf[0].partner_sku, "price": "1", "stock": 1}]),
        ("get", _url("seller-orders", shop), None),
        ("get", _url("seller-order", shop, number=order.number), None),
        ("post", _url("seller-order-status", shop, number=order.number), {"status": OrderStatus.ACCEPTED}),
        # this shop's objects under the other seller's own shop
        ("get", _url("seller-product", other, pk=product), None),
        ("get", _url("seller-order", other, number=order.number), None),
        ("post", _url("seller-order-status", other, number=order.number), {"status": OrderStatus.ACCEPTED}),
    ]
    # when they call each route, then each is a 404 and nothing changed
    for method, url, data in calls:
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    order.refresh_from_db()
    shelf[0].refresh_from_db()
    assert order.status == OrderStatus.NEW and shelf[0].num_in_stock == 10
    # and their own shop list names only their shop
    assert [s["code"] for s in client.get(reverse("api:v1:seller-shops")).json()] == [other.code]


def test_a_token_without_the_seller_scope_is_refused(shop, seller, shelf):
    # given the seller's token with only the read scope
    client = _client(seller, scopes=("read",), name="laporan")
    # when it sends stock rows, then 403 names the missing scope and nothing changes
    response = client.post(
        _url("seller-stock", shop), [{"sku": shelf[0].partner_sku, "price": "1", "stock": 1}], format="json"
    )
    assert response.status_code == 403 and "seller" in response.json()["error"]["message"]
    assert client.get(reverse("api:v1:seller-shops")).status_code == 403
    shelf[0].refresh_from_db()
    assert shelf[0].num_in_stock == 10


def test_someone_who_works_for_no_shop_is_refused_the_shop_list(shopper):
    response = _client(shopper).get(reverse("api:v1:seller-shops"))
    assert response.status_code == 403
