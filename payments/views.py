import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import gateway, services
from payments.exceptions import WebhookEventInvalid, WebhookSignatureInvalid

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe cannot send a CSRF token; the signature is the check
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events: verified, applied once, and answered 400 when not Stripe's or not ours."""
    try:
        event = gateway.event_verify(payload=request.body, signature=request.headers.get("Stripe-Signature"))
        handled = services.stripe_event_handle(event=event)
    except WebhookSignatureInvalid as error:
        logger.warning("Stripe webhook refused: bad signature (%s)", error)
        return HttpResponseBadRequest("bad signature")
    except WebhookEventInvalid as error:
        logger.warning("Stripe webhook refused: malformed event (%s)", error)
        return HttpResponseBadRequest("malformed event")
    except ValueError as error:
        logger.warning("Stripe webhook refused: unreadable event (%s)", error)
        return HttpResponseBadRequest("unreadable event")
    except services.UnknownPaymentEvent as error:
        logger.warning("Stripe webhook refused: %s", error)
        return HttpResponseBadRequest("unknown payment")
    return HttpResponse("ok" if handled else "already handled")
