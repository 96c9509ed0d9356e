from django import template

from peken.phone import phone_display

register = template.Library()

# {% load peken_phone %}{{ address.phone_number|phone }} -> 0812-3456-7890
register.filter("phone", phone_display)
