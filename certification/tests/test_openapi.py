"""The shipped OpenAPI 3.1 description matches the API: every documented path is
routed, and real responses (200, 400, 401, 404, 429) validate against the schemas the
description gives for them."""

import json
import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve, reverse
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from certification.models import Certificate
from certification.services import api_keys
from tests.support.api import api_get
from tests.support.certificates import make_certificate

pytestmark = pytest.mark.django_db

DOCUMENT = json.loads((Path(__file__).parents[1] / "openapi.json").read_text())
BASE = "urn:glabella:openapi"
# The whole description as one resource, so that its components' $refs resolve (OpenAPI
# 3.1's schemas are JSON Schema 2020-12).
REGISTRY = Registry().with_resource(BASE, DRAFT202012.create_resource(DOCUMENT))


def _schema_for(path: str, status: int) -> dict:
    """The JSON Schema the description gives for ``path``'s GET answering ``status``."""
    response = DOCUMENT["paths"][path]["get"]["responses"][str(status)]
    if "$ref" in response:
        response = DOCUMENT["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    return {"$ref": f"{BASE}{schema['$ref']}"} if "$ref" in schema else schema


def _validate(path: str, response) -> None:
    assert response["Content-Type"].startswith("application/json")
    schema = _schema_for(path, response.status_code)
    validator = Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())]
    assert errors == [], errors
    documented = DOCUMENT["paths"][path]["get"]["responses"][str(response.status_code)]
    if "$ref" in documented:
        documented = DOCUMENT["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    for header in documented.get("headers", {}):
        assert response.has_header(header), header


def test_the_description_is_openapi_3_1_with_valid_schemas():
    assert DOCUMENT["openapi"].startswith("3.1.")
    for name, schema in DOCUMENT["components"]["schemas"].items():
        resolved = {"$ref": f"{BASE}#/components/schemas/{name}"}
        Draft202012Validator.check_schema(schema)
        Draft202012Validator(resolved, registry=REGISTRY)  # its references resolve


def test_every_documented_path_is_routed():
    prefix = reverse("api:openapi").rsplit("/", 1)[0]  # /api/v1
    for path in DOCUMENT["paths"]:
        concrete = re.sub(r"\{[^}]+\}", "q2ZbV0mKx3n8s1YtR5dLw7hG", path)
        try:
            resolve(prefix + concrete)
        except Resolver404:
            pytest.fail(f"{path} is documented but not routed")


def test_the_served_description_is_the_shipped_one_with_this_sites_server(client, settings):
    response = client.get(reverse("api:openapi"))
    assert response.status_code == 200
    served = response.json()
    assert served["servers"] == [{"url": f"{settings.SITE_URL}/api/v1"}]
    assert {k: v for k, v in served.items() if k != "servers"} == {k: v for k, v in DOCUMENT.items() if k != "servers"}


def test_real_responses_match_their_schemas(client, settings, administrator):
    settings.VERIFY_API_RATE_LIMIT = "50/m"
    valid = make_certificate()
    old = make_certificate(email="old@example.com")
    Certificate.objects.filter(pk=old.pk).update(status="superseded")
    Certificate.objects.filter(pk=valid.pk).update(replaces=old)
    _key, secret = api_keys.api_key_create(organisation="Org", contact_email="o@example.com", actor=administrator)
    code_path, lookup_path = "/verify/{code}", "/verify"
    _validate(code_path, ok := api_get(client, valid.code))
    assert ok.status_code == 200
    _validate(code_path, superseded := api_get(client, old.code, key=secret))
    assert superseded.json()["replaced_by"]["serial"] == valid.serial
    _validate(lookup_path, api_get(client, serial=valid.serial, family_name="Nakamura"))
    _validate(code_path, api_get(client, "x" * 32))  # 404
    _validate(lookup_path, api_get(client, serial="GLA-2026-AAAA-BBBB", family_name="Nobody"))  # 404
    _validate(code_path, api_get(client, "bad"))  # 400
    _validate(lookup_path, bad := api_get(client, serial="GLA-2026-AAAA-BBBB"))  # 400
    assert bad.status_code == 400
    _validate(code_path, unauthorised := api_get(client, valid.code, key="glb_wrong"))
    assert unauthorised.status_code == 401
    settings.VERIFY_API_RATE_LIMIT = "1/m"
    limited = api_get(client, valid.code)
    assert limited.status_code == 429
    _validate(code_path, limited)
