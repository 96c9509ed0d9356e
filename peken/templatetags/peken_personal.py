"""Marks for the personal places of a shared page (peken/personal.py).

{% personal "accounts" %}...{% endpersonal %}   the same on every page of a session
{% personal_path %}                             this page's path, inside a personal part
{% personal_call "review" product.pk %}         computed per person and page
"""

from django import template
from django.utils.safestring import mark_safe

from peken import personal as parts

register = template.Library()


@register.tag
def personal(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or not bits[1][1:-1].isidentifier():
        raise template.TemplateSyntaxError('usage: {% personal "name" %}...{% endpersonal %}')
    nodelist = parser.parse(("endpersonal",))
    parser.delete_first_token()
    return PersonalNode(bits[1][1:-1], nodelist)


class PersonalNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        return parts.part_render(context.get("request"), self.name, self.nodelist.render(context))


@register.simple_tag(takes_context=True)
def personal_path(context) -> str:
    return mark_safe(parts.path_render(context["request"]))  # escaped there


@register.simple_tag(takes_context=True)
def personal_call(context, name: str, *args) -> str:
    return mark_safe(parts.call_render(context["request"], name, args))  # a rendered template
