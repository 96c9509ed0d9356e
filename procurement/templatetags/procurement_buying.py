"""Template tags for official buying: which sellers an agency cannot buy from (the official cap).

Each costs nothing outside official mode, so personal and anonymous pages are unchanged.
"""

from django import template

from procurement import selectors
from procurement.context_processors import official_agency_of

register = template.Library()


@register.simple_tag
def official_capped_sellers(request, basket) -> list:
    """The sellers of ``basket`` at the official cap, when buying for an agency (else none)."""
    if official_agency_of(request) is None or basket is None or basket.is_empty:
        return []
    sellers = {line.stockrecord.partner_id: line.stockrecord.partner for line in basket.all_lines()}
    capped = selectors.sellers_at_cap(seller_ids=sellers)
    return [sellers[pk] for pk in sellers if pk in capped]


@register.simple_tag
def official_seller_capped(request, seller_id) -> bool:
    """Whether the person buys for an agency and this seller is at the official cap."""
    if seller_id is None or official_agency_of(request) is None:
        return False
    return seller_id in selectors.sellers_at_cap(seller_ids=[seller_id])


@register.simple_tag
def official_cap_message() -> str:
    return selectors.seller_cap_message()
