"""Run localstripe, the fake Stripe server, for development and the tests.

    python -m payments.localstripe_server --port 8420 \
        --webhook-url http://127.0.0.1:8000/pembayaran/stripe/webhook/ --webhook-secret whsec_...

localstripe 1.15 has a known gap (its issue #253): the `confirmCardPayment` of its
`localstripe-v3.js` skips the confirmation and goes straight to 3-D Secure, so a
PaymentIntent confirmed in the browser with a card element always fails. Real
Stripe.js confirms the intent with the publishable key and the client secret; this
launcher adds exactly that to the server and the script it serves, so Peken's page
calls the same `stripe.confirmCardPayment(secret, {payment_method: {card}})` against
both. Everything else is localstripe's own behaviour.

The store is kept in memory only: localstripe would otherwise pickle it to one
fixed file in /tmp shared by every instance on the machine. Never used in production.
"""

import argparse
import json
import logging
import socket
from pathlib import Path

import localstripe
from aiohttp import web
from localstripe import server
from localstripe.errors import UserError
from localstripe.resources import PaymentIntent, PaymentMethod, store
from localstripe.webhooks import register_webhook

# Appended to localstripe-v3.js: confirmCardPayment as Stripe.js does it, confirm
# first, 3-D Secure only when the intent asks for it.
CONFIRM_CARD_PAYMENT_JS = r"""
(function () {
  const makeStripe = Stripe;
  Stripe = function (apiKey) {
    const stripe = makeStripe(apiKey);
    stripe.confirmCardPayment = async (clientSecret, data) => {
      const pi = clientSecret.match(/^(pi_\w+)_secret_/)[1];
      const method = (data && data.payment_method) || {};
      const element = method.card;
      if (!element || !element.value || !element.value.card.number) {
        return {error: {type: 'validation_error', code: 'incomplete_number',
                        message: 'Your card number is incomplete.'}};
      }
      const post = async (url, body) => {
        const response = await fetch(`${LOCALSTRIPE_BASE_API}${url}`, {
          method: 'POST', body: JSON.stringify({key: apiKey, client_secret: clientSecret, ...body}),
        });
        const json = await response.json().catch(() => ({}));
        return response.status === 200 && !json.error ? {paymentIntent: json} : {error: json.error || {}};
      };
      let result = await post(`/v1/payment_intents/${pi}/confirm`, {
        payment_method_data: {type: 'card', card: element.value.card,
                              billing_details: method.billing_details || {}},
      });
      if (result.paymentIntent && result.paymentIntent.status === 'requires_action') {
        const success = await openModal('3D Secure\nDo you want to confirm or cancel?',
                                        'Complete authentication', 'Fail authentication');
        result = await post(`/v1/payment_intents/${pi}/_authenticate?success=${success}`, {});
      }
      return result;
    };
    return stripe;
  };
})();
"""


async def _confirm_with_publishable_key(request: web.Request, intent_id: str) -> web.Response:
    """POST /v1/payment_intents/{id}/confirm from the browser, as Stripe.js sends it."""
    data = await request.json()
    intent = PaymentIntent._api_retrieve(intent_id)
    if data.get("client_secret") != intent.client_secret:
        raise UserError(401, "Unauthorized")
    if intent.status not in ("requires_payment_method", "requires_confirmation"):
        raise UserError(
            400,
            f"This PaymentIntent's status is {intent.status}",
            {"code": "payment_intent_unexpected_state"},
        )
    method_data = dict(data.get("payment_method_data") or {})
    method = PaymentMethod(**method_data)
    # A new attempt: the failed charge of an earlier one no longer decides the status.
    intent.payment_method = method.id
    intent.latest_charge = None
    intent._authentication_failed = False
    if method._attaching_is_declined():
        # Stripe's "generic decline" cards (4000 0000 0000 0002 ...) fail at confirmation.
        intent.payment_method = None
        raise UserError(
            402, "Your card was declined.", {"code": "card_declined", "decline_code": "generic_decline"}
        )
    try:
        intent._confirm(on_failure_now=intent._report_failure)
    except UserError as error:
        error.body["error"].setdefault("decline_code", "generic_decline")
        raise
    return server.json_response(intent._export())


@web.middleware
async def _stripe_js_fidelity(request: web.Request, handler):
    if request.method == "GET" and request.path == "/js.stripe.com/v3/":
        script = (Path(localstripe.__file__).parent / "localstripe-v3.js").read_text()
        return web.Response(text=script + CONFIRM_CARD_PAYMENT_JS, content_type="application/javascript")
    parts = request.path.strip("/").split("/")
    is_confirm = request.method == "POST" and len(parts) == 4 and parts[:2] == ["v1", "payment_intents"]
    if is_confirm and parts[3] == "confirm" and not request.headers.get("Authorization"):
        try:
            return await _confirm_with_publishable_key(request, parts[2])
        except UserError as error:
            return error.to_response()
        except (json.JSONDecodeError, TypeError):
            return UserError(400, "Bad request").to_response()
    return await handler(request)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url", help="where to deliver signed events (Peken's webhook view)")
    parser.add_argument("--webhook-secret", help="the endpoint's signing secret (STRIPE_WEBHOOK_SECRET)")
    args = parser.parse_args()

    store.dump_to_disk = lambda: None  # memory only; see the module docstring
    server.app.middlewares.insert(0, _stripe_js_fidelity)
    if args.webhook_url and args.webhook_secret:
        register_webhook("peken", args.webhook_url, args.webhook_secret, None)

    logging.basicConfig(level=logging.INFO, format="localstripe %(message)s")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    web.run_app(server.app, sock=sock, print=None, access_log=logging.getLogger("aiohttp.access"))


if __name__ == "__main__":
    main()
