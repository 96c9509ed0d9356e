"""Storefront template tags."""

from django import template
from django.core.cache import cache
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
