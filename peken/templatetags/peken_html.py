from django import template

from peken.html import seller_html, seller_text

register = template.Library()

# {% load peken_html %}{{ product.description|seller_html }}: a seller's text, sanitised to a few tags.
register.filter("seller_html", seller_html, is_safe=True)
# {{ product.description|seller_text }}: the same text without tags, escaped like any other value.
register.filter("seller_text", seller_text)
