"""Which ways of handing over goods each seller offers a buyer, and at what fee."""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from checkout.shipping.methods import DISTANCE, LOCAL, PICKUP, PerSellerShipping, SellerShipping
from peken import city

SellerDelivery = get_model("shipping", "SellerDelivery")


def distance_band(km: float) -> str:
    """near, middle or far, by PEKEN_DELIVERY_BANDS_KM (e.g. up to 5 km, up to 10 km, beyond)."""
    near, middle = settings.PEKEN_DELIVERY_BANDS_KM
    return "near" if km <= near else "middle" if km <= middle else "far"


def seller_shipping_options(*, seller, delivery, buyer_kecamatan: str) -> list[SellerShipping]:
    """The ways ``seller`` can hand goods to a buyer in ``buyer_kecamatan``, pickup first.

    Pickup at the shop is always offered and free. The seller's own delivery
    is offered inside its kecamatan at its local fee, and to another kecamatan
    at the fee of the distance band between the two kecamatan centres; an
    empty fee means the seller does not deliver there. A buyer address outside
    the city's kecamatan gets pickup only.
    """
    options = [
        SellerShipping(
            seller_id=seller.pk,
            code=PICKUP,
            fee=Decimal(0),
            name=_("Ambil di toko (Kec. %(kecamatan)s)") % {"kecamatan": seller.kecamatan},
        )
    ]
    if delivery is None or not buyer_kecamatan or not seller.kecamatan:
        return options
    if buyer_kecamatan == seller.kecamatan:
        if delivery.local_fee is not None:
            options.append(
                SellerShipping(
                    seller_id=seller.pk,
                    code=LOCAL,
                    fee=delivery.local_fee,
                    name=_("Diantar penjual (dalam Kec. %(kecamatan)s)") % {"kecamatan": seller.kecamatan},
                )
            )
        return options
    km = city.kecamatan_distance_km(seller.kecamatan, buyer_kecamatan)
    if km is None:
        return options
    fee = getattr(delivery, f"{distance_band(km)}_fee")
    if fee is not None:
        options.append(
            SellerShipping(
                seller_id=seller.pk,
                code=DISTANCE,
                fee=fee,
                name=_("Diantar penjual ke Kec. %(kecamatan)s (± %(km).0f km)")
                % {"kecamatan": buyer_kecamatan, "km": km},
            )
        )
    return options


def basket_sellers(basket) -> list:
    """The sellers of a basket's lines, in the order their goods were added."""
    sellers = {}
    for line in basket.all_lines():
        if line.stockrecord_id:
            sellers.setdefault(line.stockrecord.partner_id, line.stockrecord.partner)
    return list(sellers.values())


def basket_shipping_options(*, basket, shipping_address) -> dict[int, list[SellerShipping]]:
    """Each seller of the basket -> its options for this address, in one query."""
    sellers = basket_sellers(basket)
    deliveries = {d.seller_id: d for d in SellerDelivery.objects.filter(seller__in=[s.pk for s in sellers])}
    kecamatan = city.kecamatan_of_address(shipping_address) if shipping_address else ""
    return {
        s.pk: seller_shipping_options(seller=s, delivery=deliveries.get(s.pk), buyer_kecamatan=kecamatan)
        for s in sellers
    }


def basket_shipping(*, basket, shipping_address, chosen: dict[int, str]) -> PerSellerShipping:
    """The checkout's shipping from each seller's chosen code; pickup where none or no longer offered.

    A seller left without a choice of the shopper's (a shop added to the
    basket after the shipping step, or one that stopped delivering there) is
    listed in ``unchosen``: the fee shown so far counts its pickup, but the
    checkout must ask before it places an order on that assumption.
    """
    choices, unchosen = {}, []
    options_by_seller = basket_shipping_options(basket=basket, shipping_address=shipping_address)
    for seller_id, options in options_by_seller.items():
        by_code = {o.code: o for o in options}
        if chosen.get(seller_id) not in by_code:
            unchosen.append(seller_id)
        choices[seller_id] = by_code.get(chosen.get(seller_id), options[0])
    return PerSellerShipping(choices, unchosen=unchosen)
