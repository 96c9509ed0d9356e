/* What Peken's markup asks for with data attributes, in place of on*="" handlers
 * (the Content-Security-Policy forbids inline handlers). Loaded on every page,
 * storefront, seller centre and dashboard alike (templates/oscar/base.html).
 */
(function () {
    "use strict";

    function on(selector, event, handler) {
        document.addEventListener(event, function (e) {
            var target = e.target.closest ? e.target.closest(selector) : null;
            if (target) { handler.call(target, e); }
        });
    }

    // <select data-autosubmit>: choosing an option sends its form (the form has a button without script).
    on("[data-autosubmit]", "change", function () {
        if (this.form) { this.form.submit(); }
    });
    // <button data-print>: the browser's print dialog.
    on("[data-print]", "click", function () { window.print(); });
    // <a data-history-back>: back to the previous page.
    on("[data-history-back]", "click", function (e) {
        e.preventDefault();
        window.history.back();
    });

    // Dashboard picture fields: the upload button hides once the chosen picture shows,
    // and comes back (with the reason) when the file is not a picture.
    document.addEventListener("load", function (e) {
        var img = e.target;
        if (img.dataset && img.dataset.uploadButton) {
            var button = document.getElementById(img.dataset.uploadButton);
            if (button) { button.style.display = "none"; }
        }
    }, true);
    document.addEventListener("error", function (e) {
        var img = e.target;
        if (img.dataset && img.dataset.uploadButton && img.getAttribute("src")) {
            var button = document.getElementById(img.dataset.uploadButton);
            if (button) { button.style.display = ""; }
            window.alert(img.dataset.errorText);
        }
    }, true);
})();
