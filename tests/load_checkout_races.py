"""Load script: the double-click races of checkout, repeated many times; counts every outcome.

Not part of the suite (the name does not start with test_); run it on its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peken_x PEKEN_RACE_ROUNDS=25 \\
        .venv/bin/python -m pytest tests/load_checkout_races.py -q -s

Each round is a fresh shopper clicking "Buat pesanan" several times at once (one
browser: one session cookie), paying on delivery or, for the last unit, by card;
and a requester submitting one basket as a requisition from one device while
checking it out from another. Every request is a real concurrent transaction on
PostgreSQL. The counts are printed; the run fails on any server error, any
basket that became two things, and any refund of a payment an order uses.
"""

import os
from collections import Counter

import pytest
from django.urls import reverse

from payments.models import Payment, Refund
from procurement.models import Requisition
from tests.concurrency import run_at_once
from tests.factories import UserFactory, product_create
from tests.test_checkout_races import (
    CLICKS,
    Basket,
    Order,
    at_preview,
    one_requester_two_devices,
    place,
    same_browser,
    signed_in,
)

ROUNDS = int(os.environ.get("PEKEN_RACE_ROUNDS", "25"))


def outcome(response) -> str:
    if isinstance(response, BaseException):
        return f"exception {type(response).__name__}"
    if response.status_code >= 500:
        return "server error"
    return f"{response.status_code} {response.get('Location', '')}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("card", [False, True], ids=["pay-on-delivery", "card-last-unit"])
def test_double_clicks(request, indonesia, card):
    localstripe = request.getfixturevalue("localstripe") if card else None
    outcomes, placed = Counter(), Counter()
    for _round in range(ROUNDS):
        # given a shopper at the preview (the last unit, paid by card, or one of many)
        client = signed_in(UserFactory())
        basket_id = at_preview(client, product_create(stock=1 if card else 100), card_localstripe=localstripe)
        # when "Buat pesanan" is clicked several times at once
        clicks = [lambda c=c, b=basket_id: place(c, b) for c in same_browser(client, CLICKS)]
        for response in run_at_once(clicks):
            outcomes[outcome(response)] += 1
        placed[Order.objects.filter(basket_id=basket_id).count()] += 1
    refunds = Refund.objects.count()
    print(
        f"\n{'card, last unit' if card else 'pay on delivery'}: {ROUNDS} rounds of {CLICKS} clicks; "
        f"responses {dict(outcomes)}; orders per basket {dict(placed)}; "
        f"payments {Payment.objects.count()}, refunds {refunds}"
    )
    # then no server error, one order per basket, every click on the thank-you page, nothing refunded
    assert placed == Counter({1: ROUNDS})
    assert outcomes == Counter({f"302 {reverse('checkout:thank-you')}": ROUNDS * CLICKS})
    assert refunds == 0


@pytest.mark.django_db(transaction=True)
def test_requisition_and_checkout_of_one_basket(indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    results = Counter()
    for _round in range(ROUNDS):
        # given a requester with one basket open on two devices (official and personal)
        personal, official, form, basket_id = one_requester_two_devices()
        # when one submits it as a requisition and the other checks it out at the same moment
        submitted, checked_out = run_at_once(
            [
                lambda o=official, f=form: o.post(reverse("procurement:submit"), f),
                lambda p=personal, b=basket_id: place(p, b),
            ]
        )
        results[f"requisition {outcome(submitted).split('/RQ-')[0]}"] += 1
        results[f"checkout {outcome(checked_out)}"] += 1
        owner = Basket.objects.get(pk=basket_id).owner
        became = (
            Requisition.objects.filter(requester=owner).count(),
            Order.objects.filter(basket_id=basket_id).count(),
        )
        results[f"became (requisitions, orders) {became}"] += 1
    print(f"\nrequisition vs checkout: {ROUNDS} rounds; {dict(results)}")
    # then every basket became exactly one thing, and no request failed
    one_thing = [f"became (requisitions, orders) {became}" for became in ((1, 0), (0, 1))]
    assert sum(results[key] for key in one_thing) == ROUNDS
    assert not any("server error" in key or "exception" in key for key in results)
