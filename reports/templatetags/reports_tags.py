"""Column headers that sort a report table (?sort=), keeping the filter bar's other choices."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, name: str, label: str) -> str:
    """A link sorting by ``name`` (descending when it already sorts ascending), with an arrow if it does."""
    sort = context.get("sort", "")
    href = context.get("sorts", {}).get(name, "")
    arrow = "▲" if sort == name else "▼" if sort == f"-{name}" else ""
    if not href:
        return label
    return format_html('<a href="{}" class="text-reset" data-sort="{}">{}</a>{}', href, name, label, arrow)
