"""A listing's kind for tax: its category's by default, the seller's choice when made."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import SupplyKind
from catalogue_ext.selectors import category_supply_kind, product_supply_kind
from procurement import selectors_fulfilment
from tests.factories import DEFAULT_PASSWORD, category_create, product_create, seller_create
from tests.test_seller_centre import product_form

Product = get_model("catalogue", "Product")
ListingDecision = get_model("catalogue", "ListingDecision")


@pytest.fixture
def categories(db):
    jasa = category_create("Jasa")  # slug "jasa": other services
    return {
        "catering": category_create("Makanan & Minuman Rapat"),
        "printing": category_create("Jasa Cetak", parent=jasa),
        "printing_leaf": category_create("Kartu Nama", parent=category_create("Percetakan", parent=jasa)),
        "service": category_create("Tukang Ledeng", parent=jasa),
        "goods": category_create("Sembako"),
    }


@pytest.fixture
def shop(db):
    return seller_create(name="Percetakan Pak Joko", email="joko@contoh.id")


@pytest.fixture
def seller_client(shop):
    client = Client()
    client.login(username="joko@contoh.id", password=DEFAULT_PASSWORD)
    return client


def test_a_category_gives_its_kind_the_nearest_parent_first(categories):
    assert category_supply_kind(categories["catering"]) == SupplyKind.CATERING
    assert category_supply_kind(categories["service"]) == SupplyKind.OTHER_SERVICE
    # "Percetakan" under "Jasa": the nearer printing wins over the root's other services
    assert category_supply_kind(categories["printing_leaf"]) == SupplyKind.PRINTING
    assert category_supply_kind(categories["printing"]) == SupplyKind.PRINTING
    assert category_supply_kind(categories["goods"]) == SupplyKind.GOODS
    assert category_supply_kind(None) == SupplyKind.GOODS


def test_a_product_follows_its_category_unless_its_kind_is_set(categories, shop):
    nasi = product_create(title="Nasi Kotak", partner=shop, category=categories["catering"])
    assert product_supply_kind(nasi) == SupplyKind.CATERING
    nasi.supply_kind = SupplyKind.GOODS  # sold as packed goods, not a catering service
    assert product_supply_kind(nasi) == SupplyKind.GOODS
    assert product_supply_kind(product_create(title="Beras", partner=shop)) == SupplyKind.GOODS
    assert product_supply_kind(None) == SupplyKind.GOODS


def test_procurement_reads_the_kind_from_the_catalogue():
    # one rule: the tax inputs call the catalogue's function, not a copy
    assert selectors_fulfilment.product_supply_kind is product_supply_kind


def test_the_product_form_shows_the_categorys_kind_as_the_default(seller_client, shop, categories):
    product = product_create(
        title="Kartu Nama 1 Kotak", partner=shop, category=categories["printing_leaf"], image=True
    )
    response = seller_client.get(reverse("sellers:centre-product-edit", args=[product.pk]))
    field = response.context["form"]["supply_kind"]
    assert field.value() == ""
    choices = dict(field.field.choices)
    assert choices[""] == "Ikuti kategori: Jasa cetak"
    assert list(choices)[1:] == list(SupplyKind.values)
    body = response.content.decode()
    assert "Ikuti kategori: Jasa cetak" in body and "Jasa katering" in body
    # and a new product's form offers following the category
    response = seller_client.get(reverse("sellers:centre-product-create"))
    assert "Ikuti kategori" in dict(response.context["form"]["supply_kind"].field.choices)[""]


def test_a_seller_sets_the_kind_on_a_new_product(seller_client, shop, categories):
    data = product_form(categories["goods"], supply_kind=SupplyKind.PRINTING)
    response = seller_client.post(reverse("sellers:centre-product-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get()
    assert product.supply_kind == SupplyKind.PRINTING and product_supply_kind(product) == SupplyKind.PRINTING


def test_blank_stays_blank_and_follows_the_category(seller_client, shop, categories):
    response = seller_client.post(
        reverse("sellers:centre-product-create"), product_form(categories["catering"], supply_kind="")
    )
    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get()
    assert product.supply_kind == "" and product_supply_kind(product) == SupplyKind.CATERING


def test_changing_the_kind_is_saved_and_sent_to_the_verifiers(seller_client, shop, categories):
    # given a listing on sale, following its category
    seller_client.post(reverse("sellers:centre-product-create"), product_form(categories["catering"]))
    product = Product.objects.get()
    data = product_form(categories["catering"], supply_kind=SupplyKind.GOODS)
    data.pop("images")
    # when the seller says it is goods after all
    response = seller_client.post(reverse("sellers:centre-product-edit", args=[product.pk]), data)
    # then it is saved and a verifier sees the change of kind
    assert response.status_code == 302, response.context["form"].errors
    product.refresh_from_db()
    assert product.supply_kind == SupplyKind.GOODS
    assert "jenis" in ListingDecision.objects.filter(product=product).order_by("-pk").first().reason
    # and a kind not in the list is refused with a message
    response = seller_client.post(
        reverse("sellers:centre-product-edit", args=[product.pk]), {**data, "supply_kind": "emas"}
    )
    assert "Pilih jenis dari daftar" in " ".join(response.context["form"].errors["supply_kind"])


def test_the_verifier_sees_the_kind_and_whether_it_follows_the_category(verifier_client, shop, categories):
    product = product_create(title="Nasi Kotak", partner=shop, category=categories["catering"], image=True)
    product.listing_status = "menunggu"
    product.save(update_fields=["listing_status"])
    url = reverse("sellers:verification-listing-decide", args=[product.pk])
    body = verifier_client.get(url).content.decode()
    assert "Jasa katering" in body and "ikut kategori" in body
    product.supply_kind = SupplyKind.GOODS
    product.save(update_fields=["supply_kind"])
    body = verifier_client.get(url).content.decode()
    assert "ikut kategori" not in body
