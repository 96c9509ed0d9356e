"""Hostile text from sellers and shoppers is shown, never run; every page forbids inline script.

The payload is the one tried against the storefront: ``"><img src=x onerror=alert(1)>``
in a product description, a shop's name, a review, an address and a
requisition's purpose. Wherever it is shown it must arrive escaped (or, in a
description, reduced to the seller allow-list), and the Content-Security-Policy
header must stop any inline script that slipped through anyway.
"""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import ListingStatus
from peken.html import seller_html
from sellers.abstract_models import SellerStatus
from tests.checkout_flow import ADDRESS, basket_add, checkout_to_preview, order_place
from tests.factories import (
    DEFAULT_PASSWORD,
    UserFactory,
    category_create,
    order_with_products,
    product_create,
    seller_create,
)
from tests.procurement_factories import RequisitionFactory, RequisitionLineFactory, approval_world
from tests.test_seller_centre import product_form

Product = get_model("catalogue", "Product")
ProductReview = get_model("reviews", "ProductReview")
Order = get_model("order", "Order")

PAYLOAD = '"><img src=x onerror=alert(1)>'
RAW = "<img src=x onerror"


def signed_in(user) -> Client:
    client = Client()
    client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class _ScriptFinder(HTMLParser):
    """Inline scripts without a nonce and on*="" handler attributes of one HTML page."""

    def __init__(self):
        super().__init__()
        self.inline_scripts, self.handlers, self.nonces = [], [], set()
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [f"<{tag} {name}=...>" for name in attrs if name.startswith("on")]
        if tag == "script":
            if attrs.get("nonce"):
                self.nonces.add(attrs["nonce"])
            data = attrs.get("type") == "application/json"  # json_script: data, not code
            self._in_script = "src" not in attrs and not attrs.get("nonce") and not data

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data.strip()[:80])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def scripts_of(html: str) -> _ScriptFinder:
    finder = _ScriptFinder()
    finder.feed(html)
    return finder


def policy_of(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.fixture
def hostile_shop(db):
    return seller_create(name=f"Toko {PAYLOAD}", email="jahat@contoh.id")


@pytest.fixture
def hostile_product(hostile_shop):
    # Written directly, around the listing service, as an old row or a shell would have left it.
    product = product_create(
        title=f"Beras {PAYLOAD}",
        partner=hostile_shop,
        category=category_create("Sembako"),
        description=f"<p><strong>Pulen</strong> {PAYLOAD}</p><script>alert(2)</script>",
    )
    reviewer = UserFactory(email="pengulas@contoh.id", username="pengulas")
    ProductReview.objects.create(
        product=product,
        user=reviewer,
        score=1,
        title=f"Ulasan {PAYLOAD}",
        body=f"Isi {PAYLOAD}",
        status=ProductReview.APPROVED,
    )
    return product


# --- seller text on the storefront


def test_a_hostile_description_is_reduced_to_the_allow_list_on_the_product_page_and_its_cached_copy(
    settings, hostile_product
):
    # given the anonymous page cache is on
    settings.PEKEN_PAGE_CACHE_SECONDS = 60
    url = hostile_product.get_absolute_url()

    # when two visitors open the product page (the second gets the shared copy)
    first, second = Client().get(url), Client().get(url)

    # then neither page holds the payload's tag or the script, only the allowed markup and the text
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    for page in (html_of(first), html_of(second)):
        assert RAW not in page and "<script>alert(2)" not in page
        assert "<strong>Pulen</strong>" in page
        assert "Ulasan &quot;&gt;&lt;img" in page  # the review, escaped
        assert "Toko &quot;&gt;&lt;img" in page  # the shop's name, escaped
    # and the shared copy still forbids inline script
    assert "'unsafe-inline'" not in policy_of(second)["script-src"]


def test_hostile_shop_and_product_names_are_escaped_in_listings_search_and_the_shop_page(hostile_product):
    # given a product and a shop named with the payload
    shop = hostile_product.stockrecords.get().partner
    pages = [
        reverse("home"),
        reverse("catalogue:index"),
        reverse("search:search") + "?q=beras",
        reverse("sellers:shop", kwargs={"pk": shop.pk}),
    ]

    # when a visitor opens each listing page, then the payload is text, not a tag
    for url in pages:
        response = Client().get(url)
        page = html_of(response)
        assert RAW not in page, url
        assert "Beras &quot;&gt;&lt;img" in page, url
        _assert_strict(response, url)


def test_a_description_written_in_the_seller_centre_is_stored_sanitised(db):
    # given a seller in their centre
    seller_create(name="Warung Bu Tini", email="tini@contoh.id")
    client = Client()
    client.login(username="tini@contoh.id", password=DEFAULT_PASSWORD)
    leaf = category_create("Beras", parent=category_create("Sembako"))

    # when they write a description with the payload and a little allowed markup
    description = f"<em>Pulen</em> {PAYLOAD}<a href='javascript:alert(3)'>promo</a>"
    response = client.post(
        reverse("sellers:centre-product-create"), product_form(leaf, description=description)
    )

    # then the stored description keeps the text and the allowed tag, and nothing that could run
    assert response.status_code == 302
    stored = Product.objects.get().description
    assert stored.startswith("<em>Pulen</em>")
    assert RAW not in stored and "javascript:" not in stored and "<a" not in stored
    assert "promo" in stored


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Beras pulen\nPanen Jombang", "<p>Beras pulen<br>Panen Jombang</p>"),
        ("<ul><li onclick=x>satu</li></ul>", "<ul><li>satu</li></ul>"),
        ("<p style='color:red'>a &amp; b</p><img src=x>", "<p>a &amp; b</p>"),
        ("1 < 2 & 3", "<p>1 &lt; 2 &amp; 3</p>"),
    ],
)
def test_seller_html_keeps_line_breaks_and_a_few_tags_without_attributes(written, shown):
    # given a seller's text, when it is shown, then only the allow-list survives
    assert seller_html(written) == shown


# --- seller and shopper text on the private pages


def test_hostile_names_and_addresses_are_escaped_on_order_pages_seller_centre_and_verification(
    hostile_product, hostile_shop, shopper, verifier_client, indonesia
):
    # given an order of the hostile product shipped to an address written with the payload
    order = order_with_products(user=shopper, products=[hostile_product], status="Baru")
    order.shipping_address = get_model("order", "ShippingAddress").objects.create(
        first_name="Siti",
        last_name=PAYLOAD,
        line1=f"Jl. {PAYLOAD}",
        line4="Surabaya",
        postcode="60275",
        country_id="ID",
        notes=f"Pagar {PAYLOAD}",
    )
    order.save()
    # and a pending shop whose name is the payload, waiting for a verifier
    pending = seller_create(name=f"Baru {PAYLOAD}", email="baru@contoh.id", status=SellerStatus.PENDING)
    # and the hostile listing waiting in the listing queue
    Product.objects.filter(pk=hostile_product.pk).update(listing_status=ListingStatus.PENDING)
    seller = signed_in(hostile_shop.users.get())

    buyer, number = signed_in(shopper), {"number": order.number}
    pages = {
        "buyer's orders": (buyer, reverse("customer:order-list")),
        "buyer's order": (buyer, reverse("customer:order", kwargs={"order_number": order.number})),
        "seller's products": (seller, reverse("sellers:centre-products")),
        "seller's orders": (seller, reverse("sellers:centre-orders")),
        "seller's order": (seller, reverse("sellers:centre-order-detail", kwargs=number)),
        "seller's order sheet": (seller, reverse("sellers:centre-order-print", kwargs=number)),
        "verification queue": (verifier_client, reverse("sellers:verification-queue")),
        "shop verification": (verifier_client, reverse("sellers:verification-decide", args=[pending.pk])),
        "listing verification": (
            verifier_client,
            reverse("sellers:verification-listing-decide", args=[hostile_product.pk]),
        ),
    }
    # when each page is opened, then the payload is text on it
    for name, (client, url) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = response.content.decode()
        assert RAW not in page and "<script>alert(2)" not in page, name
        assert "&lt;img src=x onerror" in page, name
        _assert_strict(response, name)  # and had anything slipped through, it could not run


def test_a_hostile_address_and_shop_name_reach_the_emails_as_text(
    hostile_shop, shopper_client, indonesia, django_capture_on_commit_callbacks
):
    # given a shopper buying from the hostile shop, shipping to an address with the payload
    product = product_create(title=f"Gula {PAYLOAD}", partner=hostile_shop, price=Decimal("15000"))
    basket_add(shopper_client, product)
    preview = checkout_to_preview(shopper_client, address={**ADDRESS, "line1": f"Jl. {PAYLOAD}"})
    assert RAW not in preview.content.decode()

    # when the order is placed and its emails go out
    with django_capture_on_commit_callbacks(execute=True):
        order_place(shopper_client)

    # then every email is plain text, or HTML with the payload escaped
    assert mail.outbox
    for message in mail.outbox:
        alternatives = getattr(message, "alternatives", [])
        html_parts = [content for content, kind in alternatives if kind == "text/html"]
        assert message.content_subtype == "plain" or RAW not in message.body
        for part in html_parts:
            assert RAW not in part
    thank_you = shopper_client.get(reverse("checkout:thank-you"))
    assert RAW not in html_of(thank_you)
    _assert_strict(preview, "preview")
    _assert_strict(thank_you, "thank-you")


def test_a_hostile_requisition_purpose_and_address_are_escaped_for_requester_and_approver(db):
    # given a requisition whose purpose and delivery address carry the payload
    world = approval_world()
    requisition = RequisitionFactory(
        agency=world.agency,
        requester=world.requester,
        budget_line=world.line,
        purpose=f"Rapat {PAYLOAD}",
        delivery_address=f"Jl. {PAYLOAD}",
        total=Decimal("250000"),
    )
    RequisitionLineFactory(requisition=requisition, title=f"Nasi {PAYLOAD}")

    # when the requester and the procurement official open it
    pages = [
        (world.requester, reverse("procurement:detail", args=[requisition.reference])),
        (world.requester, reverse("procurement:mine")),
        (world.pp, reverse("procurement:inbox")),
        (world.pp, reverse("procurement:decide", args=[requisition.reference])),
    ]

    # then the payload is text on every page
    for user, url in pages:
        response = signed_in(user).get(url)
        assert response.status_code == 200, url
        assert RAW not in response.content.decode(), url
        _assert_strict(response, url)
    assert "Rapat &quot;&gt;&lt;img" in html_of(signed_in(world.pp).get(pages[3][1]))


# --- the Content-Security-Policy


def _assert_strict(response, name: str) -> None:
    policy = policy_of(response)
    script_src = policy["script-src"]
    assert "'self'" in script_src and "'unsafe-inline'" not in script_src, (name, script_src)
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], name
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"], name
    assert "'unsafe-inline'" not in policy["style-src"], name
    if response.get("Content-Type", "").startswith("text/html"):
        found = scripts_of(response.content.decode())
        assert not found.inline_scripts, (name, found.inline_scripts)
        assert not found.handlers, (name, found.handlers)
        # a script with a nonce carries this response's nonce, the one the header allows
        for nonce in found.nonces:
            assert f"'nonce-{nonce}'" in script_src, name


def test_every_main_page_forbids_inline_script_and_has_none(hostile_product, shopper, verifier_client):
    # given every kind of visitor
    staff = UserFactory(email="staf@peken.id", username="staf", is_staff=True, is_superuser=True)
    order = order_with_products(user=shopper, products=[hostile_product], status="Baru")
    shop = hostile_product.stockrecords.get().partner
    world = approval_world()
    requisition = RequisitionFactory(agency=world.agency, requester=world.requester, budget_line=world.line)
    anonymous, buyer, admin = Client(), signed_in(shopper), signed_in(staff)
    seller = signed_in(shop.users.get())
    requester = signed_in(world.requester)
    pages = {
        "home": (anonymous, reverse("home")),
        "catalogue": (anonymous, reverse("catalogue:index")),
        "product": (anonymous, hostile_product.get_absolute_url()),
        "search": (anonymous, reverse("search:search") + "?q=beras"),
        "shop": (anonymous, reverse("sellers:shop", kwargs={"pk": shop.pk})),
        "sign in": (anonymous, reverse("customer:login")),
        "basket": (anonymous, reverse("basket:summary")),
        "not found": (anonymous, "/tidak-ada-halaman-ini/"),
        "buyer's orders": (buyer, reverse("customer:order-list")),
        "buyer's order": (buyer, reverse("customer:order", kwargs={"order_number": order.number})),
        "account": (buyer, reverse("customer:profile-view")),
        "shop registration": (buyer, reverse("sellers:register")),
        "seller centre": (seller, reverse("sellers:centre-home")),
        "seller's order sheet": (seller, reverse("sellers:centre-order-print", args=[order.number])),
        "verification": (verifier_client, reverse("sellers:verification-queue")),
        "requisition": (requester, reverse("procurement:detail", args=[requisition.reference])),
        "approver's inbox": (signed_in(world.pp), reverse("procurement:inbox")),
        "budget realisation": (signed_in(world.pa), reverse("reports:realisation")),
        "UMKM share": (signed_in(world.pa), reverse("reports:umkm")),
        "seller exposure": (signed_in(world.pa), reverse("reports:exposure")),
        "red flags": (signed_in(world.pa), reverse("reports:red-flags") + "?jenis=harga"),
        "payments and taxes": (signed_in(world.pa), reverse("reports:payments")),
        "shop sales": (seller, reverse("reports:sales")),
        "report exports": (signed_in(world.pa), reverse("reports:exports")),
        "spend": (signed_in(world.pa), reverse("reports:spend")),
        "spend purchases": (signed_in(world.pa), reverse("reports:spend-purchases")),
        "admin": (admin, reverse("admin:index")),
        "dashboard": (admin, reverse("dashboard:index")),
        "dashboard products": (admin, reverse("dashboard:catalogue-product-list")),
    }
    # when each page is opened, then its header forbids inline script and the page has none of its own
    for name, (client, url) in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), (name, response.status_code)
        _assert_strict(response, name)


def test_a_shared_page_carries_no_nonce_and_a_staff_page_gets_a_fresh_one(settings, hostile_product):
    # given the anonymous page cache is on and a product page was shared
    settings.PEKEN_PAGE_CACHE_SECONDS = 60
    url = hostile_product.get_absolute_url()
    Client().get(url)

    # when the next visitor gets the shared copy
    hit = Client().get(url)

    # then it neither holds a nonce nor is allowed one: its scripts are static files
    assert hit["X-Page-Cache"] == "hit"
    assert "nonce" not in hit.content.decode() and "'nonce-" not in hit["Content-Security-Policy"]
    # and a dashboard page's inline set-up script carries a nonce that changes with every response
    staff = signed_in(UserFactory(email="staf@peken.id", username="staf", is_staff=True, is_superuser=True))
    nonces = [scripts_of(html_of(staff.get(reverse("dashboard:index")))).nonces for _ in range(2)]
    assert all(len(found) == 1 for found in nonces) and nonces[0] != nonces[1]


def test_stripe_js_is_allowed_from_the_configured_origin_only(settings, db):
    # given card payments go to the real Stripe
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    settings.STRIPE_API_BASE = ""

    # when any page is served
    policy = policy_of(Client().get(reverse("home")))

    # then Stripe.js may load, frame its 3-D Secure page and call its API, and nothing else foreign may
    assert policy["script-src"] == ["'self'", "https://js.stripe.com"]
    assert policy["frame-src"] == ["'self'", "https://js.stripe.com", "https://hooks.stripe.com"]
    assert policy["connect-src"] == ["'self'", "https://api.stripe.com", "https://js.stripe.com"]
    assert policy["img-src"] == ["'self'", "data:"] and policy["default-src"] == ["'self'"]
