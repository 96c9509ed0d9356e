from django import template

from peken.html import seller_html

register = template.Library()

# {% load peken_html %}{{ product.description|seller_html }}: a seller's text, sanitised to a few tags.
register.filter("seller_html", seller_html, is_safe=True)
