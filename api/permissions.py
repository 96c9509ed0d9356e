"""The scope an endpoint needs. Who may touch which shop or agency is checked by the same
selectors the pages use, in each view."""

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from api.models import ApiToken, Scope


def token_scopes(request) -> set[str]:
    """A token's scopes; a signed-in session (the site's own pages) has them all."""
    if isinstance(request.auth, ApiToken):
        return set(request.auth.scopes)
    return set(Scope.values) if request.user.is_authenticated else set()


class ScopeRequired(BasePermission):
    """Signed in, and (with a token) holding the view's ``required_scope``; none needed when it is None."""

    def has_permission(self, request, view) -> bool:
        scope = getattr(view, "required_scope", None)
        if scope is None:
            return True
        if not request.user.is_authenticated:
            return False
        if scope not in token_scopes(request):
            self.message = _("Token ini tidak memiliki cakupan “%(scope)s”.") % {"scope": scope}
            return False
        return True
