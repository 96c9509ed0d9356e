"""Anonymous catalogue pages are shared from the cache; nobody personal ever gets one."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import category_create, product_create

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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
    first = Client().get(url)
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
    token = TOKEN.search(page.content.decode()).group(1)
    assert token not in first.content.decode()
    response = visitor.post(reverse("basket:add", kwargs={"pk": products[0].pk}),
                            {"quantity": 1, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    # and with a basket the visitor now sees their own pages, not the shared one
    own = visitor.get(url)
    assert "X-Page-Cache" not in own
    assert "Rp15.000" in own.content.decode()


@pytest.mark.django_db
def test_signed_in_shoppers_and_other_pages_are_never_cached(page_cache, shelf, shopper_client):
    sembako, products = shelf
    Client().get(sembako.get_absolute_url())  # the shared copy exists
    # when a signed-in shopper opens the same page, then it is rendered for them
    page = shopper_client.get(sembako.get_absolute_url())
    assert "X-Page-Cache" not in page
    assert reverse("customer:logout") in page.content.decode()
    # and pages outside the catalogue are never cached, even for anonymous visitors
    assert "X-Page-Cache" not in Client().get(reverse("basket:summary"))
    assert "X-Page-Cache" not in Client().get(reverse("customer:login"))


@pytest.mark.django_db
def test_page_cache_can_be_turned_off(settings, shelf):
    settings.PEKEN_PAGE_CACHE_SECONDS = 0
    sembako, _ = shelf
    Client().get(sembako.get_absolute_url())
    assert "X-Page-Cache" not in Client().get(sembako.get_absolute_url())
