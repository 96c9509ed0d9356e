"""Drawing an official document: a Django template (templates/procurement/documents/) to an A4 PDF.

WeasyPrint lays the HTML out with the DejaVu fonts (fonts-dejavu-core); segno draws the QR code
of the public verification page as an SVG data URI inside the page. Nothing is fetched from
outside: a document may only embed data: URIs, so drawing it never waits on the network and
never leaks what it is drawing.
"""

import segno
import weasyprint
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.urls import URLFetcher

# documents are the city's records: always in Indonesian, whatever language the issuer reads
DOCUMENT_LANGUAGE = "id"


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI (error correction M survives a creased printout)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0)


def pdf_render(*, template_name: str, context: dict) -> bytes:
    """The PDF of ``template_name`` rendered with ``context``, in Indonesian."""
    with translation.override(DOCUMENT_LANGUAGE):
        html = render_to_string(template_name, context)
    return weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
