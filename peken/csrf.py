"""CSRF tokens in HTML that is shared between visitors (cached pages, product cards).

A shared copy never carries anyone's token: it is stored with a fixed stand-in,
and each response gets its visitor's own token in the token fields only. The
pattern is anchored on the whole hidden input Django's ``{% csrf_token %}``
writes, which escaped text such as a product title cannot produce.
"""

import re

from django.middleware.csrf import get_token

SHARED_TOKEN = "shared"
TOKEN_FIELD = re.compile(r'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(">)')


def csrf_token_share(html: str) -> str:
    """The HTML with every token field holding the stand-in instead of a visitor's token."""
    return TOKEN_FIELD.sub(rf"\g<1>{SHARED_TOKEN}\g<2>", html)


def csrf_token_fill(html: str, request) -> str:
    """The HTML with every token field holding this visitor's token."""
    token = get_token(request)
    return TOKEN_FIELD.sub(lambda match: f"{match.group(1)}{token}{match.group(2)}", html)
