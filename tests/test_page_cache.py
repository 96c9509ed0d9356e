"""Anonymous catalogue pages are shared from the cache; nobody signed in or personal ever gets one."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import category_create, product_create
from tests.shared_html import add_form_token, is_token_of


@pytest.fixture
def page_cache(settings):
    settings.PEKEN_PAGE_CACHE_SECONDS = 60


@pytest.fixture
def shelf(db):
    sembako = category_create("Sembako")
    return sembako, [product_create(title=f"Gula Pasir {i} kg", category=sembako) for i in range(3)]


@pytest.mark.django_db
def test_anonymous_visitors_share_a_cached_page_with_their_own_csrf_token(page_cache, shelf):
    sembako, products = shelf
    url = sembako.get_absolute_url()
    # given one visitor has seen the category page
    first_visitor = Client()
    first = first_visitor.get(url)
    assert first["X-Page-Cache"] == "miss"

    # when another visitor opens it
    visitor = Client(enforce_csrf_checks=True)
    with CaptureQueriesContext(connection) as ctx:
        page = visitor.get(url)

    # then it comes from the cache without touching the database
    assert page["X-Page-Cache"] == "hit"
    assert len(ctx.captured_queries) == 0
    assert "Gula Pasir 0 kg" in page.content.decode()
    # and its add-to-basket forms carry this visitor's token, which the shop accepts
    token = add_form_token(page.content.decode(), products[0])
    assert is_token_of(token, visitor) and not is_token_of(token, first_visitor)
    response = visitor.post(
        reverse("basket:add", kwargs={"pk": products[0].pk}), {"quantity": 1, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    # and with a basket the visitor now sees their own pages, showing their basket total
    own = visitor.get(url)
    assert "X-Page-Cache" not in own
    assert "Total: Rp15.000" in " ".join(own.content.decode().split())


@pytest.mark.django_db
def test_each_language_has_its_own_shared_page(page_cache, shelf):
    sembako, _ = shelf
    Client().get(sembako.get_absolute_url())  # the Indonesian copy exists
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get(sembako.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    assert 'lang="en"' in page.content.decode()
    assert 'lang="id"' in Client().get(sembako.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_personal_requests_and_other_pages_are_never_shared(page_cache, shelf, shopper_client):
    sembako, _ = shelf
    url = sembako.get_absolute_url()
    Client().get(url)  # the shared copy exists
    # a signed-in shopper never gets the anonymous copy (tests/test_shared_pages.py: their own)
    page = shopper_client.get(url)
    assert page["X-Page-Cache"] == "miss"
    assert reverse("customer:logout") in page.content.decode()
    # a visitor with a session but not signed in gets the shared page, signed out
    with_session = Client()
    with_session.cookies[settings.SESSION_COOKIE_NAME] = "abc"
    page = with_session.get(url)
    assert reverse("customer:login") in page.content.decode()
    assert reverse("customer:logout") not in page.content.decode()
    # a URL with parameters the catalogue does not use is not cached
    assert "X-Page-Cache" not in Client().get(url + "?utm_source=wa")
    # nor are pages outside the catalogue, nor missing pages
    assert "X-Page-Cache" not in Client().get(reverse("basket:summary"))
    assert "X-Page-Cache" not in Client().get(reverse("customer:login"))
    assert "X-Page-Cache" not in Client().get("/catalogue/tidak-ada_999999/")


@pytest.mark.django_db
def test_page_cache_can_be_turned_off(settings, shelf):
    settings.PEKEN_PAGE_CACHE_SECONDS = 0
    sembako, _ = shelf
    Client().get(sembako.get_absolute_url())
    assert "X-Page-Cache" not in Client().get(sembako.get_absolute_url())


@pytest.mark.django_db
def test_a_product_page_copy_is_never_older_than_its_price_stock_or_title(page_cache, shelf):
    _, products = shelf
    product = products[0]
    url = product.get_absolute_url()
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    # when the seller changes the price, then the next visitor sees the new price at once
    record = product.stockrecords.get()
    record.price = 17500
    record.save()
    page = Client().get(url)
    assert page["X-Page-Cache"] == "miss" and "Rp17.500" in page.content.decode()
    # and likewise when an order takes stock (an allocation moves no timestamp)
    record.allocate(99)
    page = Client().get(url)
    assert page["X-Page-Cache"] == "miss"
    assert Client().get(url)["X-Page-Cache"] == "hit"
    # and when the title changes
    product.title = "Gula Pasir Premium 1 kg"
    product.save()
    assert "Gula Pasir Premium 1 kg" in Client().get(url).content.decode()
