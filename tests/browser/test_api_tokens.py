"""A shop's cashier system gets its key: the person makes a token on their account page, copies it,
and the API documentation shows every endpoint; on a phone and on a desktop."""

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken
from tests.browser.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.test_api_access import api_routes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_makes_a_token_uses_it_and_revokes_it(open_page, shots, screen):
    # given a signed-in seller's cashier
    person = UserFactory(email="kasir@contoh.id", username="kasir", first_name="Rini")
    page = open_page(screen)
    sign_in(page, person.email, DEFAULT_PASSWORD)
    # when they open the account's API tokens and send the form empty
    page.goto("/akun/token-api/")
    page.locator("#token_create").click()
    # then both fields say what is missing
    assert page.locator(".is-invalid, .invalid-feedback, .text-danger, .error-block").count() >= 2
    shots(page, "empty-form-refused")
    # when they name a token with the seller and read scopes
    page.fill("#id_name", "Kasir toko")
    page.check("input[value=seller]")
    page.check("input[value=read]")
    page.locator("#token_create").click()
    # then the key is shown once, and it calls the API as them
    key = page.locator("#new_token_key").inner_text().strip()
    assert key.startswith("pkn_")
    shots(page, "token-shown-once")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me/").json()["token"] == "Kasir toko"
    # when they come back, the key is not shown again; when they revoke it, it stops working
    page.goto("/akun/token-api/")
    assert key not in page.content()
    page.locator("#token_list button", has_text="Cabut").click()
    page.wait_for_selector("text=dicabut")
    shots(page, "token-revoked")
    assert ApiToken.objects.get(user=person).revoked_at is not None
    assert client.get("/api/v1/me/").status_code == 401
    # and in English the list says what happened to it
    page.select_option("#peken-language", "en")
    page.locator("#language_selector button").click()
    page.goto("/akun/token-api/")
    assert "Revoked" in page.locator("#token_list").inner_text()
    shots(page, "token-revoked-english")


def test_the_api_documentation_shows_every_endpoint(open_page, shots, screen):
    # given the API's routes; when a developer opens the documentation page
    page = open_page(screen)
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)
    # then every route and method is listed (Swagger UI's own markup is not checked for axe)
    shown = {
        (block.locator(".opblock-summary-method").inner_text().lower(), block.get_attribute("id"))
        for block in page.locator(".opblock").all()
    }
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    expected = sum(len(methods) for _pattern, methods in api_routes().values())
    assert len(shown) == expected == len(paths)
    shots(page, "documentation", axe=False)
