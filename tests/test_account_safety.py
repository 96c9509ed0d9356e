"""Accounts resist other sites and curious visitors: signing out takes a POST from Peken's own
page, the basket cookie stays on same-site requests, registration never says whether an address
has an account, hidden wishlists are gone, and emailed links point at the real host."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from oscar.core.loading import get_model

from tests.concurrency import run_at_once
from tests.factories import DEFAULT_PASSWORD, UserFactory, product_create

pytestmark = pytest.mark.django_db

User = get_user_model()
WishList = get_model("wishlists", "WishList")

REGISTER_URL = "/accounts/register/"
LOGIN_URL = "/accounts/login/"
NEW_PASSWORD = "Kata-sandi-baru-2026"


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def register(client: Client, email: str):
    return client.post(
        REGISTER_URL, {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


# Signing out


def test_a_get_to_the_logout_address_does_not_sign_out(shopper_client):
    # given a signed-in shopper
    # when something (a link or an image on another site) makes their browser GET the logout URL
    response = shopper_client.get(reverse("customer:logout"))

    # then they are still signed in, and the page asks them to confirm with a button that posts
    assert response.status_code == 200
    assert signed_in(shopper_client)
    html = response.content.decode()
    assert 'id="logout_confirm_form" method="post"' in html


def test_the_logout_button_posts_and_signs_out(shopper_client):
    # given a signed-in shopper on a page with the account bar
    page = shopper_client.get("/").content.decode()
    # the "Keluar" control is a form posting to the logout URL, not a link
    logout_url = reverse("customer:logout")
    assert f'<form id="logout_form" method="post" action="{logout_url}">' in page
    assert f'href="{logout_url}"' not in page

    # when they press it
    response = shopper_client.post(reverse("customer:logout"))

    # then they are signed out and sent to the home page
    assert response.status_code == 302
    assert not signed_in(shopper_client)


# The basket cookie


def test_the_anonymous_basket_cookie_is_same_site_lax_and_http_only(client):
    # given a product and a visitor who is not signed in
    product = product_create(title="Beras Bengawan 5 kg")

    # when they put it in their basket
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})

    # then the basket cookie is sent only with same-site requests, and scripts cannot read it
    cookie = response.cookies["oscar_open_basket"]
    assert cookie.value
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert "SameSite=Lax" in cookie.output()


# Registration


def test_registering_an_address_with_an_account_answers_like_a_new_one(client):
    # given an address with an account and one without
    existing = UserFactory(email="siti@contoh.id", username="siti")
    mail.outbox.clear()

    # when a visitor registers each of them
    taken = register(Client(), "siti@contoh.id")
    fresh = register(Client(), "baru@contoh.id")

    # then both answers are the same page ("check your inbox"), word for word
    assert taken.status_code == fresh.status_code == 200
    assert taken.redirect_chain == fresh.redirect_chain == [(reverse("customer:register-sent"), 302)]
    assert [t.name for t in taken.templates] == [t.name for t in fresh.templates]
    assert "oscar/customer/registration_sent.html" in [t.name for t in fresh.templates]
    strip_csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip_csrf.sub("", taken.content.decode()) == strip_csrf.sub("", fresh.content.decode())
    assert "Periksa kotak masuk email Anda" in fresh.content.decode()
    assert "already exists" not in taken.content.decode()
    # and nobody is signed in
    assert not signed_in(taken.client) and not signed_in(fresh.client)

    # and the emails differ: the account holder is told and offered a password reset
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == ["baru@contoh.id", "siti@contoh.id"]
    note = by_recipient["siti@contoh.id"].body
    assert "sudah punya akun" in note
    assert any("/password-reset/confirm/" in link for link in links(note))
    # their account is untouched: their own password still works, the visitor's does not
    existing.refresh_from_db()
    assert existing.check_password(DEFAULT_PASSWORD) and not existing.check_password(NEW_PASSWORD)
    assert User.objects.filter(email__iexact="siti@contoh.id").count() == 1
    # while the new address gets a link that switches its new account on
    welcome = by_recipient["baru@contoh.id"].body
    assert any("/accounts/register/confirm/" in link for link in links(welcome))


def test_a_new_account_works_only_after_its_email_link_is_opened(client):
    # given a visitor who registered a new address
    register(client, "baru@contoh.id")
    account = User.objects.get(email="baru@contoh.id")
    (confirm_link,) = [link for link in links(mail.outbox[-1].body) if "/register/confirm/" in link]

    # then, until the link is opened, the account cannot sign in with the chosen password
    assert not account.is_active
    attempt = Client().post(
        LOGIN_URL, {"login-username": "baru@contoh.id", "login-password": NEW_PASSWORD, "login_submit": "1"}
    )
    assert attempt.status_code == 200 and not signed_in(attempt.client)

    # when the owner of the address opens the link
    browser = Client()
    response = browser.get(urlsplit(confirm_link).path)

    # then the account is on and they are signed in
    assert response.status_code == 302 and response["Location"] == reverse("customer:summary")
    account.refresh_from_db()
    assert account.is_active and signed_in(browser)
    # and the link works once only
    again = Client().get(urlsplit(confirm_link).path)
    assert again.status_code == 302 and again["Location"] == reverse("customer:login")
    assert not signed_in(again.client)


def test_registering_twice_before_confirming_sends_the_link_again_and_opens_one_account(client):
    # given an address registered once and not yet confirmed
    register(client, "baru@contoh.id")
    mail.outbox.clear()

    # when it is registered again (the first email got lost)
    register(Client(), "baru@contoh.id")

    # then there is still one account, and the address gets its confirmation link again
    assert User.objects.filter(email__iexact="baru@contoh.id").count() == 1
    assert any("/register/confirm/" in link for link in links(mail.outbox[-1].body))


def test_registering_from_the_sign_in_page_answers_the_same(client):
    # given an address with an account
    UserFactory(email="siti@contoh.id", username="siti")

    # when a visitor registers it with the sign-in page's registration form
    response = client.post(
        LOGIN_URL,
        {
            "registration-email": "siti@contoh.id",
            "registration-password1": NEW_PASSWORD,
            "registration-password2": NEW_PASSWORD,
            "registration_submit": "1",
        },
        follow=True,
    )

    # then they see "check your inbox", not that the address is taken, and are not signed in
    assert response.redirect_chain == [(reverse("customer:register-sent"), 302)]
    assert "already exists" not in response.content.decode()
    assert not signed_in(client)


# Wishlists


def test_hidden_wishlists_have_no_pages_and_no_buttons(shopper_client, shopper, settings):
    # given Peken hides wishlists, and a shopper with a public wishlist
    assert "wishlists" in settings.OSCAR_HIDDEN_FEATURES
    product = product_create(title="Kopi Arabika Ijen")
    wishlist = WishList.objects.create(owner=shopper, name="Oleh-oleh", visibility=WishList.PUBLIC)

    # when anyone asks for a wishlist page
    # then there is none
    assert shopper_client.get("/accounts/wishlists/").status_code == 404
    assert shopper_client.post(f"/accounts/wishlists/add/{product.pk}/").status_code == 404
    assert shopper_client.get(f"/accounts/wishlists/{wishlist.key}/").status_code == 404
    assert Client().get(f"/wishlists/{wishlist.key}/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("customer:wishlists-list")
    # and the product page offers no wishlist
    page = shopper_client.get(product.get_absolute_url()).content.decode()
    assert "wishlist" not in page.lower()


# The Site's domain


def test_the_release_command_points_the_site_and_password_reset_links_at_the_real_host(client, settings):
    # given production's host name, and a shopper who forgot their password
    settings.PEKEN_SITE_DOMAIN = "peken.surabaya.go.id"
    settings.OSCAR_URL_SCHEMA = "https"
    UserFactory(email="siti@contoh.id", username="siti")

    # when the release command runs
    call_command("peken_site", stdout=StringIO())

    # then the Site is that host, under the shop's name
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("peken.surabaya.go.id", "Peken")
    # and the password-reset email links to it, not to example.com or the host the request named
    mail.outbox.clear()
    client.post(reverse("password-reset"), {"email": "siti@contoh.id"}, HTTP_HOST="testserver")
    (message,) = mail.outbox
    reset_links = [link for link in links(message.body) if "/password-reset/confirm/" in link]
    assert reset_links and all(link.startswith("https://peken.surabaya.go.id/") for link in reset_links)


def test_the_release_command_refuses_an_empty_domain(settings):
    # given no host name configured
    settings.PEKEN_SITE_DOMAIN = ""
    # when the command runs, then it stops and says which setting is missing
    with pytest.raises(Exception, match="PEKEN_SITE_DOMAIN"):
        call_command("peken_site")


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_register_opens_one_account():
    # given a visitor about to register a new address
    def register_once():
        return Client().post(
            REGISTER_URL, {"email": "baru@contoh.id", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )

    # when five registrations of it arrive at the same moment
    responses = run_at_once([register_once] * 5)

    # then every one gets the same "check your inbox" answer, and there is one account
    assert [r.status_code for r in responses] == [302] * 5
    assert {r["Location"] for r in responses} == {reverse("customer:register-sent")}
    assert User.objects.filter(email__iexact="baru@contoh.id").count() == 1
