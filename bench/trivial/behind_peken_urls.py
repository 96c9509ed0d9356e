"""The trivial view at "/", then Peken's own URLs (its middleware reverses some of them)."""

from django.urls import path

from bench.trivial.urls import hello
from peken.urls import urlpatterns as peken_urlpatterns

urlpatterns = [path("", hello), *peken_urlpatterns]
