"""The app's URLs plus the benchmark's baseline: a view that does exactly one query."""

from django.http import HttpResponse
from django.urls import include, path

from accounts.models import User


def ping(request):
    """The baseline H: the full middleware stack, one indexed query, a tiny response."""
    found = User.objects.filter(pk=1).exists()
    return HttpResponse(b"pong" if found else b"pong (no user 1)", content_type="text/plain")


urlpatterns = [
    path("bench/ping/", ping, name="bench_ping"),
    path("", include("config.urls")),
]
