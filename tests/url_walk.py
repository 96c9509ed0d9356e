"""Every named URL pattern of the site with its full name ("namespace:name"): what the access
tests walk, so a new URL without a rule fails them."""

from django.urls import URLPattern, URLResolver, get_resolver


def named_patterns(patterns=None, namespaces=()):
    """(full name, pattern) for each named pattern below ``patterns`` (the root URLconf by default)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join((*namespaces, pattern.name)), pattern
