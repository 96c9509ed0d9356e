"""Storefront template tags."""

import hashlib
import os
import time
from collections.abc import Iterable

from django import template
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from oscar.templatetags.category_tags import get_annotated_list

from peken.csrf import SHARED_TOKEN, csrf_token_fill

register = template.Library()

MENU_VERSION_KEY = "peken:category-menu-version"
MENU_SECONDS = 300


def category_menu_invalidate(**kwargs) -> None:
    """Connected to Category saves and deletes: the next page rebuilds the menu."""
    try:
        cache.incr(MENU_VERSION_KEY)
    except ValueError:
        cache.set(MENU_VERSION_KEY, time.time_ns(), None)


@register.simple_tag
def category_menu(depth: int = 1) -> list:
    """Oscar's ``category_tree``, cached.

    Every storefront page shows the category menu and categories change
    rarely, so it is built once (two queries) and reused; any category change
    bumps the version; tree moves that send no signal show within the timeout.
    """
    # A version lost from the cache restarts from the clock, never from an old number.
    version = cache.get_or_set(MENU_VERSION_KEY, time.time_ns, None)
    key = f"peken:category-menu:{version}:{depth}"
    tree = cache.get(key)
    if tree is None:
        tree = get_annotated_list(depth=depth)
        cache.set(key, tree, MENU_SECONDS)
    return tree


CARD_SECONDS = 300
CARD_TEMPLATE = "oscar/catalogue/partials/product.html"


def _card_key(product, language: str, template_version: float) -> str:
    # Everything a card shows: the product's own fields, its class's stock
    # rule, price and stock, pictures, rating, language, and the card template
    # itself (a deploy that changes it starts new keys). All of it is prefetched.
    state = (
        template_version,
        product.date_updated.timestamp(),
        product.structure,
        product.rating,
        getattr(product, "num_approved_reviews", None),
        product.product_class.track_stock if product.product_class else None,
        [(r.pk, r.price, r.num_in_stock, r.num_allocated) for r in product.stockrecords.all()],
        [(i.pk, i.original.name, i.display_order) for i in product.images.all()],
    )
    digest = hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    return f"peken:card:{language}:{product.pk}:{digest}"


@register.simple_tag(takes_context=True)
def product_grid(context, products: Iterable) -> str:
    """The product cards of a listing, as grid items, shared between visitors.

    Rendering twenty cards is most of a listing page's cost, and a card looks
    the same to every shopper, so each is cached under a key made of what it
    shows; a change of price, stock, picture or title makes a new key. The
    add-to-basket form gets each visitor's own CSRF token (peken/csrf.py).
    """
    request = context["request"]
    products = list(products)
    template_version = os.path.getmtime(get_template(CARD_TEMPLATE).origin.name)
    keys = {product.pk: _card_key(product, get_language(), template_version) for product in products}
    cards = cache.get_many(keys.values())
    missing = {
        keys[product.pk]: render_to_string(
            CARD_TEMPLATE, {"product": product, "request": request, "csrf_token": SHARED_TOKEN}
        )
        for product in products
        if keys[product.pk] not in cards
    }
    if missing:
        cache.set_many(missing, CARD_SECONDS)
        cards.update(missing)
    grid = "".join(f'<li class="col-6 col-md-4 col-lg-3">{cards[keys[p.pk]]}</li>' for p in products)
    # Safe: every card was rendered by the auto-escaping card template.
    return mark_safe(csrf_token_fill(grid, request))  # noqa: S308


@register.filter
def within(category, top) -> bool:
    """Whether ``category`` is ``top`` or below it in the tree."""
    return bool(category) and category.path.startswith(top.path)
