"""Signed-in shoppers share catalogue pages, each filled with their own parts (peken/personal.py).

What counts: a shared copy is exactly the page a render would have given the
shopper (their basket, name, menu, official band, review offer), it costs
(almost) no queries, and anything the shopper does that changes those parts
shows on their next page.
"""

import difflib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buyers.services import buyer_kecamatan_set
from peken.csrf import csrf_token_share
from procurement.statuses import Role
from tests.factories import (
    DEFAULT_PASSWORD,
    PartnerFactory,
    UserFactory,
    category_create,
    order_with_products,
    product_create,
)
from tests.procurement_factories import AgencyFactory, person_with_roles
from tests.shared_html import is_token_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.PEKEN_PAGE_CACHE_SECONDS = 60


@pytest.fixture
def shelf():
    sembako = category_create("Sembako")
    seller = PartnerFactory(name="Toko Bu Sri", kecamatan="Gubeng")
    return sembako, [
        product_create(title=f"Beras Medium {i} kg", category=sembako, partner=seller) for i in range(3)
    ]


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client


def rendered_for(client, url: str, settings) -> str:
    """The page as a render for this client gives it, the page cache off."""
    seconds, settings.PEKEN_PAGE_CACHE_SECONDS = settings.PEKEN_PAGE_CACHE_SECONDS, 0
    try:
        return client.get(url).content.decode()
    finally:
        settings.PEKEN_PAGE_CACHE_SECONDS = seconds


def same_page(a: str, b: str) -> bool:
    a, b = csrf_token_share(a), csrf_token_share(b)
    if a != b:  # show where they part, not two whole pages
        diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "shared", "rendered", lineterm="")
        print("\n".join(diff))
    return a == b


def test_a_shopper_gets_a_page_another_shopper_opened_with_their_own_parts(page_cache, shelf, settings):
    sembako, products = shelf
    kue = products[0]
    # given Siti has an item in her basket and received the product (so may review it)
    siti = UserFactory(email="siti@contoh.id", username="siti", first_name="Siti")
    order_with_products(user=siti, products=[kue], status="Selesai")
    siti_client = signed_in(siti)
    siti_client.post(reverse("basket:add", kwargs={"pk": products[1].pk}), {"quantity": 2})
    # and Budi has opened the product page first, and one other page since
    budi_client = signed_in(UserFactory(email="budi@contoh.id", username="budi"))
    assert budi_client.get(kue.get_absolute_url())["X-Page-Cache"] == "miss"
    siti_client.get(sembako.get_absolute_url())  # shows the basket's message, rendered for her
    assert siti_client.get(sembako.get_absolute_url())["X-Page-Cache"] == "miss"  # her first shared page

    # when Siti opens the product page
    with CaptureQueriesContext(connection) as ctx:
        page = siti_client.get(kue.get_absolute_url())

    # then it is Budi's shared copy, filled with Siti's parts: one query for the product's state
    # (tests/test_page_cache.py), two for her review offer
    assert page["X-Page-Cache"] == "hit"
    assert len(ctx.captured_queries) <= 3
    html = page.content.decode()
    assert same_page(html, rendered_for(siti_client, kue.get_absolute_url(), settings))
    assert 'id="write_review"' in html and "Rp30.000" in html  # her review offer and her basket
    assert "peken-part" not in html and "peken-call" not in html
    # and its forms carry her own CSRF token
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert tokens and all(is_token_of(token, siti_client) for token in tokens)
    # and Budi, who has not received it, still gets his own refusal on the same copy
    budi_page = budi_client.get(kue.get_absolute_url())
    assert budi_page["X-Page-Cache"] == "hit"
    assert "peken-review-refusal" in budi_page.content.decode()
    assert "Rp30.000" not in budi_page.content.decode()


def test_a_listing_from_the_cache_costs_no_query(page_cache, shelf, shopper_client):
    sembako, _ = shelf
    url = sembako.get_absolute_url()
    shopper_client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        page = shopper_client.get(url)
    assert page["X-Page-Cache"] == "hit"
    assert len(ctx.captured_queries) == 0
    assert reverse("customer:logout") in page.content.decode()


def test_what_a_shopper_does_shows_on_their_next_page(page_cache, shelf, shopper_client, settings):
    sembako, products = shelf
    url = sembako.get_absolute_url()
    shopper_client.get(url)
    assert shopper_client.get(url)["X-Page-Cache"] == "hit"
    # when the shopper adds to the basket (a form sent)
    shopper_client.post(reverse("basket:add", kwargs={"pk": products[0].pk}), {"quantity": 1}, follow=True)
    # then their next page shows it, rendered for them, and the one after is shared again
    page = shopper_client.get(url)
    assert page["X-Page-Cache"] == "miss"
    assert "Rp15.000" in page.content.decode()
    again = shopper_client.get(url)
    assert again["X-Page-Cache"] == "hit"
    assert same_page(again.content.decode(), rendered_for(shopper_client, url, settings))
    # and after signing out the same browser gets the anonymous page
    shopper_client.post(reverse("customer:logout"))
    assert reverse("customer:login") in shopper_client.get(url).content.decode()


def test_official_buying_and_the_kecamatan_have_their_own_copies(page_cache, shelf, settings):
    sembako, _ = shelf
    url = sembako.get_absolute_url()
    agency = AgencyFactory(name="Dinas Kesehatan")
    requester = person_with_roles(agency=agency, roles=[Role.REQUESTER], email="rina@dinkes.go.id")
    official = signed_in(requester)
    official.post(reverse("procurement:mode"), {"agency": agency.pk, "next": "/"})
    personal = signed_in(UserFactory(email="andi@contoh.id", username="andi"))
    neighbour = UserFactory(email="wati@contoh.id", username="wati")
    buyer_kecamatan_set(user=neighbour, kecamatan="Gubeng", actor=neighbour)
    near = signed_in(neighbour)

    # given each has opened a page once, and the requester the listing in official mode
    for client in (official, personal, near):
        client.get(reverse("home"))
    official.get(url)
    # when the others open the same listing
    pages = {name: client.get(url) for name, client in (("personal", personal), ("near", near))}
    # then neither gets the official copy, nor the Gubeng buyer the city-wide one
    assert pages["personal"]["X-Page-Cache"] == "miss" and pages["near"]["X-Page-Cache"] == "miss"
    assert "peken-mode-official" not in pages["personal"].content.decode()
    assert "peken-mode-official" in official.get(url).content.decode()
    for name, client in (("official", official), ("personal", personal), ("near", near)):
        page = client.get(url)
        assert (name, page["X-Page-Cache"]) == (name, "hit")
        assert same_page(page.content.decode(), rendered_for(client, url, settings))


def test_staff_messages_and_other_languages_are_never_served_a_wrong_copy(page_cache, shelf, settings):
    sembako, products = shelf
    url = sembako.get_absolute_url()
    shopper = UserFactory(email="siti@contoh.id", username="siti")
    client = signed_in(shopper)
    client.get(url)
    # staff see pages rendered for them (they may see goods off sale)
    staff = signed_in(UserFactory(email="admin@peken.local", username="admin", is_staff=True))
    staff.get(url)
    assert "X-Page-Cache" not in staff.get(url)
    # a shopper who switches to English gets an English page, then shares the English copy
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url)
    assert 'lang="en"' in english.content.decode() and english["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    # a pending message is shown on a page rendered for the shopper, once
    client.post(reverse("basket:add", kwargs={"pk": products[0].pk}), {"quantity": 1})
    with_message = client.get(url)
    assert "X-Page-Cache" not in with_message
    assert "alert-success" in with_message.content.decode()
    assert "alert-success" not in client.get(url).content.decode()


def test_an_anonymous_visitor_and_a_shopper_share_one_product_page(page_cache, shelf, settings):
    _, products = shelf
    url = products[0].get_absolute_url()
    shopper = signed_in(UserFactory(email="siti@contoh.id", username="siti"))
    shopper.get(reverse("home"))
    # given an anonymous visitor opened the product page
    assert Client().get(url)["X-Page-Cache"] == "miss"
    # when a signed-in shopper opens it, then they get that copy with their own parts
    page = shopper.get(url)
    assert page["X-Page-Cache"] == "hit"
    html = page.content.decode()
    assert same_page(html, rendered_for(shopper, url, settings))
    assert 'action="/catalogue/laporkan/' in html and reverse("customer:logout") in html
    # and the next anonymous visitor still gets the sign-in hints, not the shopper's forms
    anonymous = Client().get(url)
    assert anonymous["X-Page-Cache"] == "hit"
    assert same_page(anonymous.content.decode(), rendered_for(Client(), url, settings))
    assert reverse("customer:logout") not in anonymous.content.decode()


def test_no_mark_of_a_personal_part_reaches_a_visitor(page_cache, shelf, shopper_client):
    sembako, products = shelf
    urls = [
        reverse("home"),
        sembako.get_absolute_url(),
        products[0].get_absolute_url(),
        reverse("search:search") + "?q=beras",
        "/catalogue/category/tidak-ada_99999/",
    ]
    for client in (Client(), shopper_client):
        for url in urls * 2:  # rendered, then shared
            html = client.get(url).content.decode()
            assert "peken-part" not in html and "peken-call" not in html, url
