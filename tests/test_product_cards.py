"""Product cards are shared between shoppers, yet show current prices and carry each shopper's token."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import category_create, product_create

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.mark.django_db
def test_cached_cards_follow_price_and_stock_changes():
    # given a listing whose cards have been rendered once
    sembako = category_create("Sembako")
    product = product_create(title="Minyak Goreng 2 liter", price="38000", stock=5, category=sembako)
    assert "Rp38.000" in Client().get(sembako.get_absolute_url()).content.decode()

    # when the seller changes the price, then the next page shows it
    record = product.stockrecords.get()
    record.price = 36500
    record.save()
    page = Client().get(sembako.get_absolute_url()).content.decode()
    assert "Rp36.500" in page and "Rp38.000" not in page

    # when the stock runs out, then the card no longer offers it
    record.num_in_stock = 0
    record.save()
    page = Client().get(sembako.get_absolute_url()).content.decode()
    assert "Stok habis" in page
    assert reverse("basket:add", kwargs={"pk": product.pk}) not in page


@pytest.mark.django_db
def test_each_shopper_gets_a_working_token_in_shared_cards():
    sembako = category_create("Sembako")
    product = product_create(title="Gula Pasir 1 kg", category=sembako)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    # given the first shopper's visit put the card in the cache
    first_token = TOKEN.search(first.get(sembako.get_absolute_url()).content.decode()).group(1)
    # when a second shopper opens the listing and adds from the card
    second_token = TOKEN.search(second.get(sembako.get_absolute_url()).content.decode()).group(1)
    response = second.post(reverse("basket:add", kwargs={"pk": product.pk}),
                           {"quantity": 1, "csrfmiddlewaretoken": second_token})
    # then their own token is in the card and the shop accepts it
    assert second_token != first_token
    assert response.status_code == 302
