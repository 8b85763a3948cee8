"""/api/v1/: the verification API (certification.api)."""

from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("verify", api.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>", api.verify_code, name="verify"),
    path("openapi.json", api.openapi, name="openapi"),
]
