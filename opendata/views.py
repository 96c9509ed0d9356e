"""The open data's public pages: /data-terbuka/, each process's release and record package, the bulk file.

Open to anyone, signed in or not: what they show is published on purpose (opendata.releases says
what is and is not). The bulk file is served as the nightly build left it; a request never builds
it, so no visitor can make the server read every process at once. Until the first build, its
address answers 404 saying so, and the page says when it will be ready.
"""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from opendata import releases, selectors

PAGE_SIZE = 25
JSON_OPTIONS = {"ensure_ascii": False, "indent": 2}
BULK_DOWNLOAD_NAME = "peken-ocds-releases.jsonl.gz"


def _releases_or_404(ocid: str) -> list[dict]:
    order = selectors.official_order_by_ocid(ocid)
    if order is None:
        raise Http404(_("Tidak ada proses pengadaan dengan ocid ini."))
    return releases.order_releases(order=order)


class ReleasePackageView(View):
    """One process's releases, oldest first, as an OCDS release package."""

    def get(self, request, ocid: str):
        package = releases.release_package(
            releases=_releases_or_404(ocid), uri=releases.package_url(ocid=ocid, kind="release")
        )
        return JsonResponse(package, json_dumps_params=JSON_OPTIONS)


class RecordPackageView(View):
    """One process's record: its releases linked from their package, and the compiled release."""

    def get(self, request, ocid: str):
        package = releases.record_package(
            releases=_releases_or_404(ocid),
            uri=releases.package_url(ocid=ocid, kind="record"),
            releases_uri=releases.package_url(ocid=ocid, kind="release"),
        )
        return JsonResponse(package, json_dumps_params=JSON_OPTIONS)


class BulkFileView(View):
    """Every published release as JSON lines, gzip-compressed, as last built (Last-Modified says when)."""

    def get(self, request):
        bulk = selectors.bulk_file()
        if bulk is None:
            return JsonResponse(
                {
                    "detail": _(
                        "Berkas semua rilis belum disusun; berkas disusun ulang setiap malam pukul 01.30 WIB."
                    )
                },
                status=404,
                json_dumps_params=JSON_OPTIONS,
            )
        response = FileResponse(
            bulk.path.open("rb"),
            as_attachment=True,
            filename=BULK_DOWNLOAD_NAME,
            content_type="application/gzip",
        )
        response["Last-Modified"] = http_date(bulk.built.timestamp())
        return response


class IndexView(TemplateView):
    """The city's official spend by agency and month of a year, the bulk file and every process's packages."""

    template_name = "opendata/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        years = selectors.spend_years()
        try:
            year = int(self.request.GET.get("tahun", ""))
        except ValueError:
            year = years[0]
        if year not in years:
            year = years[0]
        page = Paginator(selectors.processes(), PAGE_SIZE).get_page(self.request.GET.get("halaman"))
        for order in page:
            order.ocid = selectors.ocid_of(order)
        context.update(
            year=year,
            years=years,
            spend=selectors.spend_by_agency_month(year=year),
            total=selectors.spend_total(year=year),
            page=page,
            query=f"tahun={year}",
            bulk=selectors.bulk_file(),
            bulk_url=reverse("opendata:bulk"),
        )
        return context
