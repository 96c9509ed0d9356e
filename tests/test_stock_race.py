"""No overselling: many buyers racing for the last units through the real checkout."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from oscar.core.loading import get_model

from tests.checkout_flow import basket_add, checkout_to_preview, order_place
from tests.factories import DEFAULT_PASSWORD, UserFactory, product_create

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

BUYERS = 24
UNITS = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_buyers_cannot_take_more_than_the_stock(indonesia):
    # given 5 units in stock and 24 buyers, each at the preview page with one unit
    product = product_create(title="Minyak Goreng 2 liter", stock=UNITS)
    clients = []
    for i in range(BUYERS):
        user = UserFactory(email=f"racer{i}@contoh.id")
        client = Client()
        client.login(username=user.email, password=DEFAULT_PASSWORD)
        basket_add(client, product)
        assert checkout_to_preview(client).status_code == 200
        clients.append(client)

    # when they all place their order at the same moment, in parallel transactions
    barrier = threading.Barrier(BUYERS)

    def place(client):
        try:
            barrier.wait(timeout=30)
            return order_place(client)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        responses = list(pool.map(place, clients))

    # then exactly 5 orders exist, stock is never over-allocated,
    # and every other buyer was told why on the preview page
    placed = [r for r in responses if r.status_code == 302]
    refused = [r for r in responses if r.status_code == 200]
    assert len(placed) == UNITS
    assert len(refused) == BUYERS - UNITS
    assert Order.objects.count() == UNITS
    record = StockRecord.objects.get(product=product)
    assert record.num_allocated == UNITS <= record.num_in_stock
    for response in refused:
        assert "Maaf, stok Minyak Goreng 2 liter tinggal 0" in response.content.decode()
