"""Seller-written HTML: the one allow-list every page and email uses.

A seller's product description may carry a little structure (paragraphs,
line breaks, bold, italics, lists) and nothing else: no attribute (so no
``onerror=``, ``style=`` or ``href=javascript:``), no image, link, script or
style. ``seller_html_clean`` runs when a listing is written and again when it
is shown (``{{ text|seller_html }}``), so a description stored before the
rule, or written around the listing service, is still harmless.
"""

import html

import nh3
from django.utils.html import linebreaks, strip_tags
from django.utils.safestring import SafeString, mark_safe

SELLER_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li"})
_BLOCK_TAGS = ("<p>", "<ul>", "<ol>")


def seller_html_clean(text: str) -> str:
    """``text`` reduced to SELLER_TAGS without attributes; every other tag is dropped, text escaped."""
    return nh3.clean(text or "", tags=set(SELLER_TAGS), attributes={}, link_rel=None)


def seller_html(text: str) -> SafeString:
    """Cleaned ``text`` ready for a page: plain text written in a textarea keeps its line breaks."""
    cleaned = seller_html_clean(text)
    if not any(tag in cleaned for tag in _BLOCK_TAGS):
        # Already escaped by nh3: linebreaks must not escape it a second time.
        cleaned = linebreaks(cleaned, autoescape=False)
    return mark_safe(cleaned)  # noqa: S308 - nh3 allowed only SELLER_TAGS, without attributes


def seller_text(text: str) -> str:
    """Cleaned ``text`` as plain text (a meta description, an alt text): to be escaped where it is put."""
    return html.unescape(strip_tags(seller_html_clean(text))).strip()
