"""Open data under /data-terbuka/ in the "opendata" namespace: public, no sign-in."""

from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("proses/<str:ocid>/rilis.json", views.ReleasePackageView.as_view(), name="release-package"),
    path("proses/<str:ocid>/rekaman.json", views.RecordPackageView.as_view(), name="record-package"),
    path("unduh/semua-rilis.jsonl.gz", views.BulkFileView.as_view(), name="bulk"),
]
