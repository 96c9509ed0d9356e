/* Shop registration: the kelurahan list follows the chosen kecamatan (json_script "kelurahan-by-kecamatan"). */
// Offer only the chosen kecamatan's kelurahan (the server checks the pair too).
(function () {
    var byKecamatan = JSON.parse(document.getElementById("kelurahan-by-kecamatan").textContent);
    var kecamatan = document.getElementById("id_kecamatan");
    var kelurahan = document.getElementById("id_kelurahan");
    var all = Array.prototype.slice.call(kelurahan.options);
    function filter() {
        var allowed = byKecamatan[kecamatan.value] || null;
        all.forEach(function (option) {
            var show = !option.value || !allowed || allowed.indexOf(option.value) !== -1;
            option.hidden = option.disabled = !show;
        });
        if (kelurahan.selectedOptions[0] && kelurahan.selectedOptions[0].disabled) { kelurahan.value = ""; }
    }
    kecamatan.addEventListener("change", filter);
    filter();
})();
