/* Card payment on the checkout preview: Stripe Elements collects the card,
 * the preview view creates (or reuses) the basket's payment intent, Stripe.js
 * confirms it, and the order is placed once it is paid. Messages and the
 * statuses that count as paid come from the page (json_script), so this file
 * holds no server data and runs under a Content-Security-Policy without inline script.
 */
(function () {
    var section = document.getElementById("card_payment");
    var button = document.getElementById("pay-by-card");
    var errors = document.getElementById("card-errors");
    var messages = JSON.parse(document.getElementById("card-error-messages").textContent);
    var paidStatuses = JSON.parse(document.getElementById("card-paid-statuses").textContent);
    var label = button.textContent;
    var stripe = Stripe(section.dataset.publishableKey);
    var card = stripe.elements({locale: document.documentElement.lang || "id"}).create("card", {
        hidePostalCode: true,
        style: {base: {fontSize: "16px", color: "#212529", "::placeholder": {color: "#6c757d"}}}
    });
    card.mount("#card-element");
    button.disabled = false;
    card.on("change", function (event) {
        errors.textContent = event && event.error ? message(event.error) : "";
    });

    function message(error) {
        return messages[error.decline_code] || messages[error.code] || messages["default"];
    }
    function busy(on) {
        button.disabled = on;
        button.textContent = on ? button.dataset.busyText : label;
    }
    function fail(text) {
        errors.textContent = text;
        busy(false);
    }
    function placeOrder() {
        document.getElementById("place_order_form").submit();
    }

    button.addEventListener("click", function () {
        errors.textContent = "";
        busy(true);
        var body = new FormData(document.getElementById("place_order_form"));
        body.set("action", "card_intent");
        fetch(section.dataset.intentUrl, {method: "POST", body: body, credentials: "same-origin",
                                          headers: {"X-Requested-With": "XMLHttpRequest"}})
            .then(function (response) { return response.json(); })
            .then(function (intent) {
                if (intent.error) { return fail(intent.error); }
                if (paidStatuses.indexOf(intent.status) !== -1) { return placeOrder(); }
                return stripe.confirmCardPayment(intent.client_secret, {payment_method: {card: card}})
                    .then(function (result) {
                        if (result.error) { return fail(message(result.error)); }
                        if (paidStatuses.indexOf(result.paymentIntent.status) !== -1) { return placeOrder(); }
                        fail(messages["default"]);
                    });
            })
            .catch(function () { fail(messages["default"]); });
    });
})();
