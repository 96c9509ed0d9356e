"""Every API error as JSON: a stable ``code`` for programs, a ``message`` for people (Indonesian,
or English by Accept-Language) and, for bad input, ``fields`` naming each field and what is wrong.

    {"error": {"code": "invalid", "message": "…", "fields": {"price": ["…"]}}}
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from catalogue_ext.services import ListingError
from orders.services import OrderStatusError
from procurement.services import ProcurementError
from sellers.services import SellerStatusError

# A service's refusal of an action the caller may try: the request was understood, the
# state of things says no (409). The code is the stable name a program can branch on.
REFUSALS: dict[type, str] = {
    ProcurementError: "procurement_refused",
    OrderStatusError: "order_status_refused",
    ListingError: "listing_refused",
    SellerStatusError: "seller_status_refused",
}


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stable, for programs: invalid, not_found, permission_denied, …")
    message = serializers.CharField(help_text="for people, in the language asked by Accept-Language")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="bad input: each field's problems; non_field_errors for the request as a whole",
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    error = ErrorBodySerializer()


def _refusal_code(exc: Exception) -> str | None:
    for kind, code in REFUSALS.items():
        if isinstance(exc, kind):
            # a subclass names itself: ApprovalRefused -> approval_refused
            name = type(exc).__name__
            if type(exc) is kind:
                return code
            return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    return None


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(name): [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            if not isinstance(msgs, dict)
            else [f"{k}: {v}" for k, v in _fields(msgs).items()]
            for name, msgs in detail.items()
        }
    if isinstance(detail, list) and detail and all(isinstance(d, dict) for d in detail):
        # a list of rows (bulk input): row N's problems under "N.field"
        return {f"{i}.{k}": v for i, row in enumerate(detail) for k, v in _fields(row).items()}
    return {"non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


def error_response(*, status_code: int, code: str, message: str, fields: dict | None = None, headers=None):
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return Response({"error": body}, status=status_code, headers=headers)


def api_exception_handler(exc, context):
    """DRF's exceptions, Django's and the services' refusals, all in the one shape above."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied | PermissionError):
        exc = exceptions.PermissionDenied()
    code = _refusal_code(exc)
    if code:
        return error_response(status_code=status.HTTP_409_CONFLICT, code=code, message=str(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        first = next(iter(fields.values()))[0]
        message = first if list(fields) == ["non_field_errors"] else _("Periksa isian berikut.")
        return error_response(
            status_code=response.status_code, code="invalid", message=message, fields=fields
        )
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    headers = {k: v for k, v in response.headers.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    return error_response(
        status_code=response.status_code,
        code=code if isinstance(code, str) else "error",
        message=str(getattr(exc, "detail", exc)),
        headers=headers,
    )
