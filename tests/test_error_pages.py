"""Error pages: 400, 403, 404 and 500 in the site's layout, in Indonesian and English, saying why
and where to go next; a refused request is logged as one line, never as a traceback."""

import logging

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


def english(client: Client) -> Client:
    client.cookies[translation.trans_real.settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def in_site_layout(html: str) -> bool:
    # the site's stylesheet and header are there, not Django's bare page
    return "peken/peken.css" in html and 'class="header' in html


def test_403_shows_the_reason_the_code_gave_and_where_to_go(client, caplog):
    # given a signed-in shopper who owns no shop
    user = UserFactory(email="tono@contoh.id", username="tono", first_name="Tono", last_name="")
    client.login(username=user.email, password=DEFAULT_PASSWORD)

    # when they open the seller centre
    with caplog.at_level(logging.WARNING):
        response = client.get("/penjual/pusat/")

    # then a 403 in the site's layout says why (the PermissionDenied message) and where to go next
    html = response.content.decode()
    assert response.status_code == 403
    assert in_site_layout(html)
    assert "Pusat penjual hanya untuk pemilik toko." in html
    assert "Ke mana selanjutnya?" in html and 'href="/"' in html and "Tono" in html
    # and the refusal is logged as one line, without a traceback
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert refusals and all(r.exc_info is None for r in refusals)
    assert "Traceback" not in caplog.text


def test_403_without_a_reason_offers_a_visitor_to_sign_in(client):
    # given an anonymous visitor
    # when a page refuses them without saying why
    response = client.get("/terlarang/")
    # then the page gives the general reason and offers the sign-in page, returning here afterwards
    html = response.content.decode()
    assert response.status_code == 403
    assert "Anda tidak berhak membuka halaman ini." in html
    assert "/accounts/login/?next=/terlarang/" in html


def test_a_form_without_its_security_token_gets_a_403_saying_what_to_do(caplog):
    # given a sign-in form posted without its CSRF token (a page left open too long)
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING):
        response = client.post("/accounts/login/", {"login-username": "a@contoh.id", "login_submit": "1"})

    # then a 403 in the site's layout says to reload the page and send it again
    html = response.content.decode()
    assert response.status_code == 403
    assert in_site_layout(html) and "Muat ulang halamannya, lalu kirim sekali lagi." in html
    assert "Traceback" not in caplog.text


def test_404_in_both_languages(client, caplog):
    # given a page that does not exist
    # when it is asked for in Indonesian
    with caplog.at_level(logging.WARNING):
        response = client.get("/tidak-ada-halaman-ini/")

    # then a 404 in the site's layout says so and offers the home page and the catalogue
    html = response.content.decode()
    assert response.status_code == 404
    assert in_site_layout(html)
    assert "Halaman tidak ditemukan" in html
    assert 'href="/catalogue/"' in html
    assert "Traceback" not in caplog.text

    # and in English when the visitor chose English
    html_en = english(Client()).get("/tidak-ada-halaman-ini/").content.decode()
    assert '<html lang="en"' in html_en and in_site_layout(html_en)


def test_400_in_site_layout_logged_without_traceback(client, caplog):
    # given a request Django refuses as suspicious
    with caplog.at_level(logging.WARNING):
        response = client.get("/curiga/")

    # then a 400 in the site's layout explains it
    assert response.status_code == 400
    html = response.content.decode()
    assert in_site_layout(html) and "Permintaan tidak dapat diproses" in html
    # and django.security records it without a traceback
    security = [r for r in caplog.records if r.name.startswith("django.security")]
    assert security and all(r.exc_info is None for r in security)
    assert "Traceback" not in caplog.text


def test_500_in_site_layout_and_the_bug_keeps_its_traceback(caplog):
    # given a view with a bug
    client = Client(raise_request_exception=False)
    # when it is requested
    with caplog.at_level(logging.ERROR):
        response = client.get("/rusak/")

    # then the visitor gets a 500 in the site's layout saying what to do
    html = response.content.decode()
    assert response.status_code == 500
    assert in_site_layout(html) and "Terjadi gangguan" in html and 'href="/"' in html
    # and the failure, unlike a refusal, is logged with its traceback for the engineers
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert errors and errors[0].exc_info is not None


def test_500_falls_back_to_a_plain_page_when_the_layout_fails(settings):
    # given a layout that cannot be rendered (a context processor fails, as with the database down)
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": ["tests.error_urls.broken_context"],
            },
        }
    ]
    client = Client(raise_request_exception=False)

    # when a view fails
    response = client.get("/rusak/")

    # then the visitor still gets a plain 500 page, not a second failure
    assert response.status_code == 500
    html = response.content.decode()
    assert "Terjadi gangguan" in html and 'href="/"' in html
