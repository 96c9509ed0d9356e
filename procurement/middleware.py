"""In official mode the basket checks out as a requisition, never through the personal checkout."""

from django.shortcuts import redirect
from django.urls import reverse

from procurement.context_processors import MODE_SESSION_KEY, official_agency_of


class OfficialCheckoutMiddleware:
    """Send a person buying for an agency from the personal checkout to "Ajukan permintaan".

    Only checkout URLs are looked at, so every other page costs nothing here.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def __call__(self, request):
        if self._prefix is None:
            self._prefix = reverse("checkout:index")
        if (
            request.path_info.startswith(self._prefix)
            and request.user.is_authenticated
            and MODE_SESSION_KEY in request.session
            and official_agency_of(request) is not None
        ):
            return redirect("procurement:submit")
        return self.get_response(request)
