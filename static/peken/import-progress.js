/* The progress bar of a big upload being applied in the background (peken/imports.py).
 *
 * Asks the job's status endpoint (JSON) every second and moves the bar; once the
 * job has finished, reloads the page, which then shows the result or the
 * problems. Without this script the page reloads itself (a <noscript> refresh)
 * and has a "Muat ulang" link; no inline script, so a strict Content-Security-Policy holds.
 */
(function () {
    "use strict";
    var EVERY_MS = 1000;
    var GIVE_UP_AFTER = 30;  // failed requests in a row before the bar stops asking

    function attach(box) {
        var url = box.getAttribute("data-import-status-url");
        var bar = box.querySelector("[data-import-progress]");
        var label = box.querySelector("[data-import-status-label]");
        var rows = box.querySelector("[data-import-rows]");
        var failures = 0;
        if (!url || !bar || !window.fetch) { return; }

        function show(data) {
            bar.max = data.rows_total || 1;
            bar.value = data.rows_done;
            bar.textContent = data.percent + "%";
            if (label) { label.textContent = data.status_label; }
            if (rows) { rows.textContent = rows.textContent.replace(/^\d+/, String(data.rows_done)); }
        }

        function ask() {
            fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
                .then(function (response) { return response.ok ? response.json() : null; })
                .then(function (data) {
                    if (!data) { throw new Error("no status"); }
                    failures = 0;
                    show(data);
                    if (data.finished) { window.location.reload(); return; }
                    setTimeout(ask, EVERY_MS);
                })
                .catch(function () {
                    failures += 1;
                    if (failures < GIVE_UP_AFTER) { setTimeout(ask, EVERY_MS); }
                });
        }

        if (box.getAttribute("data-import-finished") === "1") { return; }
        setTimeout(ask, EVERY_MS);
    }

    document.querySelectorAll("[data-import-status-url]").forEach(attach);
}());
