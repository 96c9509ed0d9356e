"""Error pages and the sign-in lockout page, in the site's layout and the visitor's language.

Each says why the request was refused and where to go next. The server
error page is rendered with the full layout when it can be; if the layout
itself fails (the database is down, a context processor breaks), a plain
page with no request context is sent instead, never a second traceback.
"""

import logging

from django.conf import settings
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
# A refusal does not repeat the refused address in the page (it may name another
# shop's order or agency's requisition): the header's language and buying-mode
# switches return to the home page instead.
ERROR_CONTEXT = {"language_neutral_url_path": "/", "return_path": "/"}


def _api(request) -> bool:
    return request.path_info.startswith("/api/")


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    """The API's error shape (api/errors.py) for what Django answers before the API's views run:
    an address no route matches, a session write without its CSRF token, a crash."""
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def bad_request(request, exception):
    if _api(request):
        return _api_error(400, "bad_request", _("Permintaan ini tidak dapat dibaca."))
    return render(request, "peken/errors/400.html", ERROR_CONTEXT, status=400)


def permission_denied(request, exception):
    # The services and views write why in the PermissionDenied they raise.
    reason = str(exception) if exception is not None else ""
    if _api(request):
        return _api_error(403, "permission_denied", reason or _("Anda tidak boleh melakukan ini."))
    return render(request, "peken/errors/403.html", {**ERROR_CONTEXT, "reason": reason}, status=403)


def csrf_failure(request, reason=""):
    """A form sent without its valid security token: most often a page left open too long."""
    if _api(request):
        return _api_error(
            403, "csrf_failed", _("Token CSRF tidak ada atau salah; sistem lain memakai token API.")
        )
    return render(
        request,
        "peken/errors/403.html",
        {
            **ERROR_CONTEXT,
            "reason": _(
                "Formulir ini sudah kedaluwarsa atau dikirim dari luar Peken, jadi tidak diproses. Muat "
                "ulang "
                "halamannya, lalu kirim sekali lagi."
            ),
        },
        status=403,
    )


def page_not_found(request, exception):
    if _api(request):
        return _api_error(404, "not_found", _("Alamat ini tidak ada di API."))
    return render(request, "peken/errors/404.html", ERROR_CONTEXT, status=404)


def server_error(request):
    if _api(request):
        return _api_error(500, "server_error", _("Terjadi kesalahan di server. Coba lagi sebentar lagi."))
    try:
        return render(request, "peken/errors/500.html", ERROR_CONTEXT, status=500)
    except Exception:
        logger.exception("The server error page could not be rendered in the site's layout")
        return HttpResponseServerError(loader.get_template("peken/errors/500_plain.html").render())


def signin_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once an account or an address has had too many wrong passwords."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "peken/errors/locked_out.html",
        {
            **ERROR_CONTEXT,
            "message": _(
                "Terlalu banyak kata sandi yang salah. Demi keamanan akun, masuk ditutup selama "
                "%(minutes)s menit; setelah itu Anda bisa mencoba lagi. Lupa kata sandi? Atur ulang "
                "lewat email sambil menunggu."
            )
            % {"minutes": minutes},
        },
        status=429,
    )
