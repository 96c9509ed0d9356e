"""Public procurement pages, open to anyone: /verifikasi/<code>/ checks a printed document is genuine."""

from procurement import views_documents

app_name = "verification"
urlpatterns = views_documents.public_urlpatterns
