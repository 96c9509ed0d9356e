"""Product cards are shared between shoppers, yet show current prices and carry each shopper's token."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import category_create, product_create
from tests.shared_html import add_form_token, is_token_of


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
def test_each_shopper_gets_their_own_token_in_shared_cards():
    sembako = category_create("Sembako")
    product = product_create(title="Gula Pasir 1 kg", category=sembako)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    # given the first shopper's visit put the card in the cache
    first_token = add_form_token(first.get(sembako.get_absolute_url()).content.decode(), product)
    assert is_token_of(first_token, first)
    # when a second shopper opens the listing
    second_token = add_form_token(second.get(sembako.get_absolute_url()).content.decode(), product)
    # then the card carries the second shopper's token, which the shop accepts
    assert is_token_of(second_token, second) and not is_token_of(second_token, first)
    response = second.post(
        reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, "csrfmiddlewaretoken": second_token}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_title_cannot_smuggle_a_token_into_shared_cards():
    # given a product whose title imitates a token field
    sembako = category_create("Sembako")
    title = 'Promo <input type="hidden" name="csrfmiddlewaretoken" value="x"> shared'
    product_create(title=title, category=sembako)
    visitor = Client()
    page = visitor.get(sembako.get_absolute_url()).content.decode()
    # then the title is shown escaped and untouched
    assert "Promo &lt;input" in page and "value=&quot;x&quot;&gt; shared" in page
