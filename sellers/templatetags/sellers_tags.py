from django import template

from sellers.selectors import works_for_a_shop

register = template.Library()


@register.simple_tag
def shop_worker(user) -> bool:
    """Whether ``user`` works for a shop (sellers.selectors.works_for_a_shop, asked once a request)."""
    return user is not None and works_for_a_shop(user=user)
