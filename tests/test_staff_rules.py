"""Staff cannot bypass the rules: in Django's admin and Oscar's dashboard the status of a shop, a
listing, an order and a payment is read-only, listings go through curation, and changes to a
shop's identity and bank data and to prices are recorded (who, when, before, after)."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from oscar.apps.order.exceptions import InvalidLineStatus
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import ListingStatus
from orders.statuses import OrderStatus
from sellers.abstract_models import SellerStatus, StaffTool, StockUpdateSource
from tests.factories import (
    DEFAULT_PASSWORD,
    PaymentFactory,
    UserFactory,
    category_create,
    order_create,
    product_create,
)

pytestmark = pytest.mark.django_db

ListingDecision = get_model("catalogue", "ListingDecision")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
SellerDataChange = get_model("partner", "SellerDataChange")
StockUpdate = get_model("partner", "StockUpdate")


class FormReader(HTMLParser):
    """The fields a browser would send from the form ``form_id`` (or the first form posting content)."""

    def __init__(self, form_id: str | None):
        super().__init__()
        self.form_id, self.inside, self.done, self.data = form_id, False, False, []
        self._select, self._textarea, self._selected_any = None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (
            tag == "form"
            and not self.done
            and (
                a.get("id") == self.form_id
                if self.form_id
                else a.get("method", "").lower() == "post" and a.get("id") != "logout_form"
            )
        ):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.data.append((a["name"], ""))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.data[-1]
            self.data[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                name, value = self.data[-1]
                self.data[-1] = (name, value.removeprefix("\n"))
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_data(client: Client, url: str, form_id: str | None = None, **changes) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    data: dict = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in changes.items()})
    return data


@pytest.fixture
def staff():
    return UserFactory(
        email="admin@diskominfo.surabaya.go.id", username="kominfo", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.login(username=staff.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def shop():
    return Partner.objects.create(
        name="Toko Sumber Rejeki",
        code="toko-sumber-rejeki",
        status=SellerStatus.ACTIVE,
        owner_name="Slamet Riyadi",
        bank_name="Bank Jatim",
        bank_account_number="0011223344",
        bank_account_holder="Slamet Riyadi",
    )


def test_admin_cannot_move_a_shop_but_its_bank_change_is_recorded(staff_client, staff, shop):
    # given a shop paid into Slamet's account
    url = f"/admin/partner/partner/{shop.pk}/change/"
    # when an admin posts the shop's form with a new status and another bank account
    data = form_data(
        staff_client,
        url,
        "partner_form",
        status=SellerStatus.REJECTED,
        bank_account_number="9988776655",
        bank_account_holder="Orang Lain",
    )
    response = staff_client.post(url, data)

    # then the form is saved but the status did not move: the page sends status moves to the verification page
    assert response.status_code == 302, response.content.decode()[:3000]
    assert f'href="/penjual/verifikasi/{shop.pk}/"' in staff_client.get(url).content.decode()
    shop.refresh_from_db()
    assert shop.status == SellerStatus.ACTIVE and not shop.decisions.exists()
    assert shop.bank_account_number == "9988776655"
    # and the bank change is recorded: who, when, before and after
    change = SellerDataChange.objects.get(seller=shop)
    assert change.actor == staff and change.source == StaffTool.ADMIN and change.date_created
    assert change.changes == {
        "bank_account_number": {"before": "0011223344", "after": "9988776655"},
        "bank_account_holder": {"before": "Slamet Riyadi", "after": "Orang Lain"},
    }


def test_admin_price_change_is_recorded_with_old_and_new(staff_client, staff, shop):
    # given a product of the shop at Rp15.000 with 100 in stock
    product = product_create(title="Gula pasir 1 kg", price=15000, stock=100, partner=shop)
    record = product.stockrecords.get()
    url = f"/admin/partner/stockrecord/{record.pk}/change/"

    # when an admin changes its price and stock
    response = staff_client.post(
        url, form_data(staff_client, url, "stockrecord_form", price="9000", num_in_stock="40")
    )

    # then the change is kept in the shop's price and stock record
    assert response.status_code == 302
    update = StockUpdate.objects.get(seller=shop)
    assert update.actor == staff and update.source == StockUpdateSource.ADMIN
    assert update.changes == [
        {
            "sku": record.partner_sku,
            "title": "Gula pasir 1 kg",
            "price_old": 15000,
            "price_new": 9000,
            "stock_old": 100,
            "stock_new": 40,
        }
    ]


def test_admin_cannot_approve_a_listing_and_its_edit_goes_to_curation(staff_client, staff, shop):
    # given a listing waiting for the verifiers
    product = product_create(title="Kopi bubuk", partner=shop, listing_status=ListingStatus.PENDING)
    url = f"/admin/catalogue/product/{product.pk}/change/"

    # when an admin posts it approved, retitled as something held for approval
    data = form_data(
        staff_client, url, "product_form", listing_status=ListingStatus.APPROVED, title="Rokok kretek isi 12"
    )
    response = staff_client.post(url, data)

    # then the status is not theirs to set: the edit puts the listing through curation, held
    assert response.status_code == 302, response.content.decode()[:3000]
    product.refresh_from_db()
    assert product.listing_status == ListingStatus.HELD
    decision = ListingDecision.objects.get(product=product)
    assert decision.actor == staff and decision.new_status == ListingStatus.HELD


def test_admin_cannot_move_an_order_nor_forge_its_history(staff_client, shop):
    # given a new order of the shop
    buyer = UserFactory(email="pembeli@contoh.id", username="pembeli")
    product = product_create(title="Beras 5 kg", partner=shop)
    order = order_create(user=buyer, lines=[(product.stockrecords.get(), 1)], number="100001-1")
    url = f"/admin/order/order/{order.pk}/change/"

    # when an admin posts the order as received, with its lines
    data = form_data(staff_client, url, "order_form", status=OrderStatus.RECEIVED)
    data.update({key: [OrderStatus.RECEIVED] for key in data if key.endswith("-status")})
    response = staff_client.post(url, data)

    # then neither the order nor its lines moved
    assert response.status_code == 302, response.content.decode()[:3000]
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW
    assert set(order.lines.values_list("status", flat=True)) == {OrderStatus.NEW}
    # and its status history cannot be written by hand
    assert staff_client.get("/admin/order/orderstatuschange/add/").status_code == 403
    # nor can a line be moved on its own from the dashboard
    with pytest.raises(InvalidLineStatus):
        order.lines.get().set_status(OrderStatus.ACCEPTED)


def test_admin_cannot_change_a_payment(staff_client):
    # given a card payment
    payment = PaymentFactory()
    # when an admin posts a change to it, then it is refused
    response = staff_client.post(f"/admin/payments/payment/{payment.pk}/change/", {"status": "dibayar"})
    assert response.status_code == 403


def test_dashboard_price_and_name_changes_are_recorded_and_listing_edits_curated(
    staff_client, staff, shop, indonesia
):
    # given a shop's approved product at Rp15.000
    product = product_create(
        title="Teh melati", price=15000, stock=10, partner=shop, category=category_create("Minuman")
    )
    url = f"/dashboard/catalogue/products/{product.pk}/"
    data = form_data(staff_client, url, "create_update_product_form", title="Minuman keras oplosan")
    prefix = next(key for key in data if key.endswith("-price")).removesuffix("price")
    data[prefix + "price"] = ["12500"]

    # when staff change its title and price in Oscar's dashboard
    response = staff_client.post(url, data)

    # then the price change is recorded with its old and new value
    assert response.status_code == 302, response.content.decode()[:3000]
    update = StockUpdate.objects.get(seller=shop)
    assert update.source == StockUpdateSource.DASHBOARD and update.actor == staff
    assert (update.changes[0]["price_old"], update.changes[0]["price_new"]) == (15000, 12500)
    # and the new title puts the listing through curation like a seller's edit
    product.refresh_from_db()
    assert product.listing_status == ListingStatus.HELD

    # when staff rename the shop on the dashboard's shop page
    url = f"/dashboard/partners/{shop.pk}/"
    response = staff_client.post(
        url,
        form_data(
            staff_client, url, None, name="Toko Rejeki Baru", line1="Jl. Pasar Kembang 3", country="ID"
        ),
    )

    # then the rename is recorded
    assert response.status_code == 302, response.content.decode()[:3000]
    change = SellerDataChange.objects.get(seller=shop)
    assert change.source == StaffTool.DASHBOARD and change.actor == staff
    assert change.changes == {"name": {"before": "Toko Sumber Rejeki", "after": "Toko Rejeki Baru"}}
    assert Decimal(product.stockrecords.get().price) == Decimal("12500")
