"""Sign-in guard: stops password guessing before any password is checked (django-axes)."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


def signin_username(request, credentials: dict | None) -> str:
    """The account a sign-in attempt is counted against: its email, whatever its case or spaces.

    Without this, "Siti@contoh.id" and "siti@contoh.id " would each get
    their own allowance of wrong passwords for the same account.
    """
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return (username or "").strip().lower()


class SignInGuardBackend(AxesStandaloneBackend):
    """Axes's guard, except for the sign-in the server makes itself without a request.

    A sign-in the server makes itself (the test client's ``login``, for one)
    calls ``authenticate`` without a request; that is not a guess, and Axes
    would refuse it outright (it needs the address). Every sign-in form
    passes the request and is guarded.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
