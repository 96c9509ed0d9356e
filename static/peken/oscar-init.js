/* Oscar's page set-up for storefront pages, and the behaviours Peken's own
 * markup asks for with data attributes, in place of inline scripts and
 * on*="" handlers (the Content-Security-Policy forbids both).
 *
 * Oscar's templates call these from their "onbodyload" block; storefront
 * pages can be shared by the anonymous page cache and carry no nonce, so the
 * same calls are made here when the page has what they work on.
 */
(function ($) {
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

    $(function () {
        oscar.init();
        // Not oscar.search.init(): sorting is sent by [data-autosubmit] above, and Peken has no facets.
        if ($("#basket_formset, #saved_basket_formset").length) { oscar.basket.init(); }
        if ($("form input[name=options]").length) { oscar.checkout.gateway.init(); }
        if ($(".clipboard-item").length) { oscar.customer.wishlists.init(); }
        if ($('a[data-behaviours~="archive"], a[data-behaviours~="delete"]').length) { oscar.notifications.init(); }
    });
})(jQuery);
