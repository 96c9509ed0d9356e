from django.http import HttpRequest, HttpResponse
from django.urls import path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>Peken</title><p>Halo.</p>")


urlpatterns = [path("", hello)]
