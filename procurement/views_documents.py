"""The documents of official purchases: their download, and the public page that verifies a printout.

Access (tests/test_procurement_access.py walks the download; tests/test_procurement_documents.py
the public page):
- download (/pengadaan/dokumen/<code>/unduh/): the purchase's requester, its agency's approvers,
  PPK, receivers, treasurers and admins, auditors, and the seller's own shop people
  (selectors_documents.document_readable); anyone else signed in gets 404, anonymous visitors
  the sign-in page;
- verification (/verifikasi/<code>/): anyone, signed in or not. It shows what the printout
  itself states about the purchase (kind, number, date, agency, shop, total) and the SHA-256,
  never a person's name, NIK, NPWP or address; a file sent to it is hashed and compared.
"""

import hashlib

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View

from procurement import selectors_documents as documents

# a document's PDF is some tens of kilobytes; a file past this is not one of ours
CHECK_MAX_BYTES = 10 * 1024 * 1024


def document_file_name(document) -> str:
    """``KWT-0007-DINKES-2026.pdf``: the number, with its slashes made safe for a file name."""
    return document.number.replace("/", "-") + ".pdf"


class DocumentDownloadView(LoginRequiredMixin, View):
    """One document's PDF, as issued, for the people of its purchase (404 for anyone else)."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, code):
        document = documents.document_by_code(code, content=True)
        if document is None or not documents.document_readable(user=request.user, document=document):
            raise Http404
        response = HttpResponse(bytes(document.content), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{document_file_name(document)}"'
        response["Cache-Control"] = "private, no-store"
        return response


class CheckFileForm(forms.Form):
    file = forms.FileField(label=_("Berkas PDF"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CHECK_MAX_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar untuk dokumen Peken (paling besar 10 MB)."))
        return upload


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


class DocumentVerifyView(View):
    """Public: is this document genuine? Its public facts and hash; a sent file is hashed and compared."""

    http_method_names = ["get", "post", "head", "options"]
    template_name = "procurement/documents/verify.html"

    def _document(self, code):
        document = documents.document_by_code(code)
        if document is None:
            raise Http404
        return document

    def get(self, request, code):
        document = self._document(code)
        return render(request, self.template_name, {"document": document, "form": CheckFileForm()})

    def post(self, request, code):
        document = self._document(code)
        form = CheckFileForm(request.POST, request.FILES)
        context = {"document": document, "form": form}
        if form.is_valid():
            digest = _sha256(form.cleaned_data["file"])
            context |= {
                "checked": True,
                "matches": digest == document.sha256,
                "file_sha256": digest,
                "form": CheckFileForm(),
            }
        return render(request, self.template_name, context)


urlpatterns = [
    path("dokumen/<str:code>/unduh/", DocumentDownloadView.as_view(), name="document-download"),
]
# mounted at /verifikasi/ by peken/urls.py, outside the signed-in procurement pages
public_urlpatterns = [
    path("<str:code>/", DocumentVerifyView.as_view(), name="document"),
]
