"""Reading CSRF tokens out of pages, as a browser submitting a form would."""

import re

from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token
from django.urls import reverse


def add_form_token(html: str, product) -> str:
    """The CSRF token inside the add-to-basket form of ``product``'s card or page."""
    action = re.escape(reverse("basket:add", kwargs={"pk": product.pk}))
    form = re.search(rf'<form action="{action}"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no add-to-basket form for the product"
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(1)).group(1)


def is_token_of(token: str, client) -> bool:
    """Whether ``token`` was issued to ``client`` (it unmasks to the client's CSRF cookie)."""
    return _unmask_cipher_token(token) == client.cookies[settings.CSRF_COOKIE_NAME].value
