"""Listing curation: new and changed listings are reviewed; banned goods are held off sale until approved."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue_ext import services
from catalogue_ext.abstract_models import ListingStatus
from checkout.services import ListingOffSale, stock_lock_for_basket
from tests.factories import DEFAULT_PASSWORD, _tiny_jpeg, category_create, seller_create

Product = get_model("catalogue", "Product")
ListingDecision = get_model("catalogue", "ListingDecision")
Basket = get_model("basket", "Basket")


@pytest.fixture
def shop(db):
    return seller_create(name="Toko Mas Rejeki", email="rejeki@contoh.id")


@pytest.fixture
def owner(shop):
    return shop.users.get()


@pytest.fixture
def leaf(db):
    return category_create("Suvenir", parent=category_create("Kerajinan"))


def listing(shop, owner, leaf, **data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fields = {
        "title": "Tas Anyaman Pandan",
        "description": "Anyaman tangan dari Kenjeran.",
        "category": leaf,
        "images": [SimpleUploadedFile("tas.jpg", _tiny_jpeg(), content_type="image/jpeg")],
        "price": 85000,
        "stock": 10,
        "unit": "pcs",
        "min_order_quantity": 1,
        "halal_certificate_number": "",
        "made_locally": True,
    }
    fields.update(data)
    return services.listing_create(seller=shop, actor=owner, data=fields)


def decide(client, product, decision, reason=""):
    return client.post(
        reverse("sellers:verification-listing-decide", kwargs={"pk": product.pk}),
        {"decision": decision, "reason": reason},
    )


@pytest.mark.parametrize(
    "title, description, held",
    [
        ("Emas Batangan Antam 5 gram", "", True),
        ("Tas Anyaman", "Bisa ditukar LOGAM   MULIA", True),
        ("Rokok Kretek Lintingan", "", True),
        ("Rokokan mainan anak", "", False),  # whole words only
        ("Kue Emas Batang", "", False),
    ],
)
def test_banned_keywords_are_matched_on_whole_words_in_any_case(title, description, held, leaf):
    reasons = services.listing_held_reasons(title=title, description=description, categories=[leaf])
    assert bool(reasons) is held


def test_a_banned_category_holds_its_listings_parents_included(settings, leaf):
    settings.PEKEN_HELD_CATEGORIES = ["kerajinan"]
    assert services.listing_held_reasons(title="Tas", description="", categories=[leaf])


def test_a_banned_listing_is_held_off_sale_until_a_verifier_approves_it(
    shop, owner, leaf, verifier, verifier_client, django_capture_on_commit_callbacks
):
    # given a seller lists gold bars
    product = listing(shop, owner, leaf, title="Emas Batangan 1 gram", description="Emas murni.")

    # then it is held: not in listings, search, or its page, and in the verifiers' queue, held first
    assert product.listing_status == ListingStatus.HELD
    visitor = Client()
    assert visitor.get(product.get_absolute_url()).status_code == 404
    assert "Emas Batangan" not in visitor.get(leaf.get_absolute_url()).content.decode()
    assert "Emas Batangan" not in visitor.get(reverse("search:search"), {"q": "emas"}).content.decode()
    queue = verifier_client.get(reverse("sellers:verification-listings")).content.decode()
    assert "Emas Batangan 1 gram" in queue and "emas batangan" in queue
    assert "emas batangan" in ListingDecision.objects.get(product=product).reason

    # when a verifier approves it
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(verifier_client, product, "approve")

    # then it is on sale, the decision is recorded and the seller is emailed once
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.listing_status == ListingStatus.APPROVED
    decision = ListingDecision.objects.filter(product=product).first()
    assert (decision.actor, decision.old_status, decision.new_status) == (
        verifier,
        ListingStatus.HELD,
        ListingStatus.APPROVED,
    )
    assert [m.to for m in mail.outbox] == [["rejeki@contoh.id"]]
    assert "disetujui" in mail.outbox[0].subject
    assert visitor.get(product.get_absolute_url()).status_code == 200
    queue = verifier_client.get(reverse("sellers:verification-listings")).content.decode()
    assert reverse("sellers:verification-listing-decide", kwargs={"pk": product.pk}) not in queue


def test_a_rejection_needs_a_reason_takes_the_listing_off_sale_and_tells_the_seller(
    shop, owner, leaf, verifier_client, django_capture_on_commit_callbacks
):
    product = listing(shop, owner, leaf)
    assert product.listing_status == ListingStatus.PENDING
    assert Client().get(product.get_absolute_url()).status_code == 200  # post-moderation: on sale at once

    response = decide(verifier_client, product, "reject")
    assert "Tulis alasan penolakan" in str(response.context["form"].errors["reason"])
    product.refresh_from_db()
    assert product.listing_status == ListingStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        decide(verifier_client, product, "reject", "Foto bukan barang yang dijual")
    product.refresh_from_db()
    assert product.listing_status == ListingStatus.REJECTED
    assert Client().get(product.get_absolute_url()).status_code == 404
    assert "Foto bukan barang yang dijual" in mail.outbox[0].body
    # a second decision on the same listing is refused (it left the queue)
    with pytest.raises(services.ListingError):
        services.listing_review(product=product, actor=owner, approve=True)


def test_the_seller_is_emailed_once_however_often_the_task_runs(shop, owner, leaf, verifier):
    product = listing(shop, owner, leaf)
    decision = services.listing_review(product=product, actor=verifier, approve=True)
    assert services.listing_decision_notify(decision_id=decision.pk) is True
    assert services.listing_decision_notify(decision_id=decision.pk) is False
    assert len(mail.outbox) == 1
    # the seller's own submission is recorded but not emailed
    submission = ListingDecision.objects.filter(product=product).last()
    assert services.listing_decision_notify(decision_id=submission.pk) is False


def test_a_changed_listing_goes_back_to_the_queue_and_is_held_if_it_now_matches(shop, owner, leaf, verifier):
    product = listing(shop, owner, leaf)
    services.listing_review(product=product, actor=verifier, approve=True)
    client = Client()
    client.login(username="rejeki@contoh.id", password=DEFAULT_PASSWORD)
    edit = reverse("sellers:centre-product-edit", kwargs={"pk": product.pk})
    form = {
        "title": "Tas Anyaman Pandan",
        "description": "Anyaman tangan dari Kenjeran.",
        "category": leaf.pk,
        "price": "85000",
        "stock": "10",
        "unit": "pcs",
        "min_order_quantity": "1",
    }

    # when the seller changes the description to offer gold bars
    client.post(edit, {**form, "description": "Sekarang juga jual emas antam."})

    # then the listing is held off sale again, with the seller's change recorded
    product.refresh_from_db()
    assert product.listing_status == ListingStatus.HELD
    assert Client().get(product.get_absolute_url()).status_code == 404
    last = ListingDecision.objects.filter(product=product).first()
    assert last.actor == owner and "deskripsi" in last.reason and "emas antam" in last.reason
    # and editing the banned words out does not put it back on sale without a verifier
    client.post(edit, form)
    product.refresh_from_db()
    assert product.listing_status == ListingStatus.HELD
    # four rows: submitted, approved, held after the change, still held after the second change
    assert ListingDecision.objects.filter(product=product).count() == 4


def test_a_held_listing_in_a_basket_cannot_become_an_order(shop, owner, leaf, shopper, verifier):
    from django.db import transaction

    from sellers.strategy import Selector

    # given a shopper put a listing in their basket
    product = listing(shop, owner, leaf)
    basket = Basket.objects.create(owner=shopper)
    basket.strategy = Selector().strategy()
    basket.add_product(product, 1)
    # when a verifier rejects it
    services.listing_review(product=product, actor=verifier, approve=False, reason="Barang palsu")
    # then it can no longer be bought, and order placement refuses it with a clear message
    product.refresh_from_db()
    info = basket.strategy.fetch_for_product(product)
    assert not info.availability.is_available_to_buy
    with pytest.raises(ListingOffSale, match="sedang diperiksa petugas"), transaction.atomic():
        stock_lock_for_basket(basket=basket)
