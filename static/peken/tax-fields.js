/* The "Pajak" fieldset (templates/sellers/partials/tax_fields.html): the PP 55 certificate's number and
 * date show only when the shop has one, the Rp500 juta statement only for an individual. The server
 * checks the same rules; without script every field simply shows. */
(function () {
    "use strict";
    var fieldset = document.getElementById("pajak");
    if (!fieldset) { return; }

    function checked(name) {
        var input = fieldset.querySelector("input[name=" + name + "]:checked");
        return input ? input.value : "";
    }

    function update() {
        var shown = {
            pp55: checked("has_pp55") === "True",
            individual: checked("taxpayer_type") === "individual"
        };
        fieldset.querySelectorAll("[data-tax-when]").forEach(function (block) {
            var show = shown[block.dataset.taxWhen];
            block.hidden = !show;
            if (!show) {
                // a statement hidden for a company is not made
                block.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
            }
        });
    }

    fieldset.addEventListener("change", update);
    update();
})();
