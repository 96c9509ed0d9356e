"""Only a buyer who received a product may review it, once; pages and cards show the average."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue_ext.reviews import services
from tests.factories import DEFAULT_PASSWORD, PartnerFactory, UserFactory, order_with_products, product_create

ProductReview = get_model("reviews", "ProductReview")
Product = get_model("catalogue", "Product")
SellerRating = get_model("partner", "SellerRating")

pytestmark = pytest.mark.django_db

REFUSED = "Ulasan hanya bisa ditulis oleh pembeli yang sudah menerima produk ini"


@pytest.fixture
def kue():
    return product_create(title="Kue Lapis Legit", partner=PartnerFactory(name="Kue Bu Ningsih"))


def add_url(product) -> str:
    return reverse("catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk})


def review(client, product, score="4", body="Legit dan lembut"):
    return client.post(add_url(product), {"score": score, "title": "", "body": body}, follow=True)


def test_a_buyer_who_received_the_product_reviews_it_once(shopper_client, shopper, kue, client):
    # given the shopper received an order with the cake
    order_with_products(user=shopper, products=[kue], status="Selesai")
    assert 'id="write_review"' in shopper_client.get(kue.get_absolute_url()).content.decode()
    assert 'id="add_review_form"' in shopper_client.get(add_url(kue)).content.decode()

    # when they give it four stars
    page = review(shopper_client, kue).content.decode()

    # then the review is kept, and the product page and its card show the average and the count
    assert "Terima kasih atas ulasan Anda." in page
    assert ProductReview.objects.get().user == shopper
    kue.refresh_from_db()
    assert kue.rating == 4.0
    product_page = client.get(kue.get_absolute_url()).content.decode()
    assert "Legit dan lembut" in product_page and "1 ulasan" in product_page
    card = client.get(reverse("catalogue:index")).content.decode()
    assert 'class="peken-card-rating"' in card and "4,0" in card

    # when they try again, then it is refused with a message and no second review
    page = review(shopper_client, kue, score="1").content.decode()
    assert "Anda sudah mengulas produk ini." in page
    assert ProductReview.objects.count() == 1


@pytest.mark.parametrize("status", [None, "Baru", "Dikirim"])
def test_anyone_who_has_not_received_it_gets_a_message_and_no_form(shopper_client, shopper, kue, status):
    # given a shopper with no order of the cake, or one not received yet
    if status:
        order_with_products(user=shopper, products=[kue], status=status)

    # when they open the review form, or post a review anyway
    page = shopper_client.get(add_url(kue), follow=True)
    posted = review(shopper_client, kue)

    # then they are told why, see no form, and nothing is saved
    assert page.status_code == 200 and REFUSED in page.content.decode()
    assert 'id="add_review_form"' not in page.content.decode()
    assert REFUSED in posted.content.decode()
    assert not ProductReview.objects.exists()


def test_anonymous_visitors_are_asked_to_sign_in(client, kue):
    page = client.get(add_url(kue), follow=True).content.decode()
    assert "Masuk dulu." in page and 'id="add_review_form"' not in page
    assert not ProductReview.objects.exists()


def test_another_buyers_order_does_not_count(kue):
    order_with_products(user=UserFactory(), products=[kue], status="Selesai")
    with pytest.raises(services.ReviewError):
        services.product_review_write(user=UserFactory(), product=kue, score=5)


def test_the_order_rating_page_rates_the_shop_and_the_products(shopper_client, shopper, kue):
    # given a received order with two products from one shop
    teh = product_create(title="Teh Tubruk", partner=kue.stockrecords.get().partner)
    order = order_with_products(user=shopper, products=[kue, teh], status="Selesai")
    url = reverse("sellers:rate", kwargs={"order_number": order.number})
    page = shopper_client.get(url).content.decode()
    assert "Kue Lapis Legit" in page and "Teh Tubruk" in page and 'name="product"' in page

    # when the buyer rates the shop and reviews one product there
    shopper_client.post(url, {"seller": kue.stockrecords.get().partner_id, "score": "5", "comment": ""})
    page = shopper_client.post(
        url, {"product": teh.pk, "score": "3", "body": "Agak pahit"}, follow=True
    ).content.decode()

    # then both are kept, and the page shows the review instead of its form
    assert "Terima kasih atas ulasan Anda untuk Teh Tubruk." in page
    assert SellerRating.objects.get().score == 5
    assert ProductReview.objects.get().product == teh
    assert page.count('name="product"') == 1  # only the cake is left to review

    # when a bad score is posted, then it is refused in Indonesian
    page = shopper_client.post(url, {"product": kue.pk, "score": "9"}, follow=True).content.decode()
    assert "Pilih 1 sampai 5 bintang." in page
    assert ProductReview.objects.count() == 1


def test_a_card_shows_a_new_rating_even_if_the_product_row_is_not_saved_otherwise(client, kue):
    # given a card rendered and cached without a rating
    assert "peken-card-rating" not in client.get(reverse("catalogue:index")).content.decode()
    # when the rating changes without touching date_updated (e.g. a review moderated in bulk)
    Product.objects.filter(pk=kue.pk).update(rating=4.5)
    # then the card is rendered afresh
    assert "4,5" in client.get(reverse("catalogue:index")).content.decode()


def test_listing_queries_do_not_grow_with_reviews(client, django_assert_max_num_queries):
    buyer = UserFactory()
    products = [product_create(title=f"Kerupuk {i}") for i in range(6)]
    order_with_products(user=buyer, products=products, status="Selesai")
    client.get(reverse("catalogue:index"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("catalogue:index"))
    for product in products:
        services.product_review_write(user=buyer, product=product, score=5, body="Renyah")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("catalogue:index")).content.decode()
    assert page.count("peken-card-rating") == 6


def test_signing_in_shows_the_reason_on_the_product_page(kue):
    user = UserFactory()
    c = Client()
    c.login(username=user.email, password=DEFAULT_PASSWORD)
    page = c.get(kue.get_absolute_url()).content.decode()
    assert REFUSED in page and 'id="write_review"' not in page
