"""Django's makemessages, also collecting strings marked with ``_g``.

Modules that need both kinds of gettext name the lazy one ``_`` and the
immediate one ``_g`` (procurement.audit_display); xgettext only knows the
standard names, so without this their strings never reach the catalog.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_g"]
