"""Storefront template tags."""

import hashlib

from django import template
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from oscar.templatetags.category_tags import get_annotated_list

register = template.Library()

MENU_VERSION_KEY = "peken:category-menu-version"
MENU_SECONDS = 300


def category_menu_invalidate(**kwargs) -> None:
    """Connected to Category saves and deletes: the next page rebuilds the menu."""
    try:
        cache.incr(MENU_VERSION_KEY)
    except ValueError:
        cache.set(MENU_VERSION_KEY, 1, None)


@register.simple_tag
def category_menu(depth: int = 1):
    """Oscar's ``category_tree``, cached.

    Every storefront page shows the category menu and categories change
    rarely, so it is built once (two queries) and reused; any category change
    bumps the version, and the timeout bounds staleness in a per-process cache.
    """
    version = cache.get_or_set(MENU_VERSION_KEY, 1, None)
    key = f"peken:category-menu:{version}:{depth}"
    tree = cache.get(key)
    if tree is None:
        tree = get_annotated_list(depth=depth)
        cache.set(key, tree, MENU_SECONDS)
    return tree


CARD_SECONDS = 300
CARD_TEMPLATE = "oscar/catalogue/partials/product.html"
TOKEN_PLACEHOLDER = "__peken_card_csrf__"


def _card_key(product, language: str) -> str:
    # Everything a card shows: the product's own fields, price, stock and language.
    # Stock and price come from the prefetched stock records (no query).
    records = [(r.pk, r.price, r.num_in_stock, r.num_allocated) for r in product.stockrecords.all()]
    images = [(i.pk, i.original.name) for i in product.images.all()]
    state = repr((product.date_updated.timestamp(), records, images)).encode()
    return f"peken:card:{language}:{product.pk}:{hashlib.sha256(state).hexdigest()[:24]}"


@register.simple_tag(takes_context=True)
def product_grid(context, products):
    """The product cards of a listing, as grid items, shared between visitors.

    Rendering twenty cards is most of a listing page's cost, and a card looks
    the same to every shopper, so each is cached under a key made of what it
    shows; a change of price, stock, picture or title makes a new key. The
    add-to-basket form's CSRF token is the one thing per visitor: cards are
    stored with a placeholder that is replaced on the way out.
    """
    request = context["request"]
    products = list(products)
    keys = {product.pk: _card_key(product, get_language()) for product in products}
    cached = cache.get_many(keys.values())
    missing = {}
    for product in products:
        if keys[product.pk] not in cached:
            html = render_to_string(
                CARD_TEMPLATE, {"product": product, "request": request, "csrf_token": TOKEN_PLACEHOLDER}
            )
            missing[keys[product.pk]] = html
    if missing:
        cache.set_many(missing, CARD_SECONDS)
        cached.update(missing)
    token = get_token(request)
    items = (
        f'<li class="col-6 col-md-4 col-lg-3">{cached[keys[p.pk]].replace(TOKEN_PLACEHOLDER, token)}</li>'
        for p in products
    )
    return mark_safe("".join(items))  # noqa: S308 - rendered by our own templates
