/* Suggestions under the header search box, as the shopper types.
 *
 * Fills the box's <datalist> from the search app's suggestions endpoint (JSON,
 * cached by the server per prefix). Without this script the box is a plain
 * form that submits; no inline script, so a strict Content-Security-Policy holds.
 */
(function () {
    "use strict";
    var MIN_CHARS = 2;
    var WAIT_MS = 200;

    function fill(list, data) {
        var seen = {};
        list.textContent = "";
        data.products.concat(data.categories).forEach(function (text) {
            if (seen[text]) { return; }
            seen[text] = true;
            var option = document.createElement("option");
            option.value = text;
            list.appendChild(option);
        });
    }

    function attach(input) {
        var list = document.getElementById(input.getAttribute("list"));
        var url = input.getAttribute("data-suggest-url");
        var timer = null;
        var asked = "";
        if (!list || !url || !window.fetch) { return; }
        input.addEventListener("input", function () {
            clearTimeout(timer);
            var typed = input.value.trim();
            if (typed.length < MIN_CHARS) { list.textContent = ""; return; }
            timer = setTimeout(function () {
                asked = typed;
                fetch(url + "?q=" + encodeURIComponent(typed), {headers: {"Accept": "application/json"}})
                    .then(function (response) { return response.ok ? response.json() : null; })
                    .then(function (data) {
                        // a slower answer to an older prefix must not replace a newer one
                        if (data && asked === typed) { fill(list, data); }
                    })
                    .catch(function () { /* suggestions are a help, never in the way */ });
            }, WAIT_MS);
        });
    }

    document.querySelectorAll("input[data-suggest-url]").forEach(attach);
}());
