"""Drive Oscar's checkout pages with Django's test client, as a shopper would."""

import re

from django.urls import reverse

ADDRESS = {
    "first_name": "Siti",
    "last_name": "Aminah",
    "line1": "Jl. Tunjungan No. 10",
    "line2": "Genteng",
    "line4": "Surabaya",
    "postcode": "60275",
    "country": "ID",
    "phone_number": "+6281234567890",
}


def basket_add(client, product, quantity: int = 1):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302, response
    return response


def checkout_to_preview(client, *, address: dict | None = None, shipping: dict | None = None):
    """Shipping address, each seller's shipping (as the page preselects it unless ``shipping``
    maps a seller id to another code) and payment on delivery, up to the preview page."""
    response = client.post(reverse("checkout:shipping-address"), address or ADDRESS)
    assert response.status_code == 302, response.content[:2000]
    page = client.get(reverse("checkout:shipping-method")).content.decode()
    choices = dict(re.findall(r'name="(toko_\d+)" value="([^"]+)"[^>]*checked', page))
    choices.update({f"toko_{seller_id}": code for seller_id, code in (shipping or {}).items()})
    response = client.post(reverse("checkout:shipping-method"), choices)
    assert response.status_code == 302, response.content[:2000]
    response = client.post(reverse("checkout:preview"), {"method": "bayar-di-tempat"})
    assert response.status_code == 302, response.content[:2000]
    return client.get(reverse("checkout:preview"))


def order_place(client):
    return client.post(reverse("checkout:preview"), {"action": "place_order"})


def order_receive(order) -> None:
    """Take a placed pickup order to Selesai the way its seller and buyer would."""
    from orders.services import order_status_change
    from orders.statuses import OrderStatus, Party

    order_status_change(order=order, actor=None, party=Party.SELLER, status=OrderStatus.ACCEPTED)
    order_status_change(order=order, actor=None, party=Party.SELLER, status=OrderStatus.READY)
    order_status_change(order=order, actor=order.user, party=Party.BUYER, status=OrderStatus.RECEIVED)
    order.refresh_from_db()
