from django import template

from buyers import selectors

register = template.Library()


@register.simple_tag
def buyer_kecamatan_of(user) -> dict:
    """The shopper's kecamatan for their profile page, and whether it was read from their address."""
    profile = selectors.buyer_profile(user=user)
    if profile and profile.kecamatan:
        return {"name": profile.kecamatan, "from_address": False}
    name = selectors.buyer_kecamatan(user=user)
    return {"name": name, "from_address": bool(name)}
