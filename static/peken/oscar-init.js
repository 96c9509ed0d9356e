/* Oscar's page set-up for storefront pages, in place of the inline script of
 * Oscar's base template (the Content-Security-Policy forbids inline script).
 *
 * Oscar's templates call these from their "onbodyload" block; storefront
 * pages can be shared by the anonymous page cache and carry no nonce, so the
 * same calls are made here when the page has what they work on.
 */
(function ($) {
    "use strict";

    $(function () {
        oscar.init();
        // Not oscar.search.init(): sorting is sent by [data-autosubmit] (behaviours.js); Peken has no facets.
        if ($("#basket_formset, #saved_basket_formset").length) { oscar.basket.init(); }
        if ($("form input[name=options]").length) { oscar.checkout.gateway.init(); }
        if ($(".clipboard-item").length) { oscar.customer.wishlists.init(); }
        if ($('a[data-behaviours~="archive"], a[data-behaviours~="delete"]').length) { oscar.notifications.init(); }
    });
})(jQuery);
