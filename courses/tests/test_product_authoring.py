"""The product table in Glabella's own pages (courses.authoring.products): administrators
only, label references edited with the product, every change audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent
from courses.models import Product
from tests.support.products import product

pytestmark = pytest.mark.django_db


def product_data(item: Product, **overrides) -> dict:
    refs = list(item.references.all())
    data = {
        "code": item.code, "generic_name": item.generic_name, "brand_names": item.brand_names,
        "unit_label": item.unit_label, "vial_sizes": "[50, 100]",
        "reconstitution_presets": '[{"vial_units": 100, "diluent_ml": "2.5"}]',
        "cap_units": item.cap_units or "", "cap_citation": item.cap_citation, "active": "on" if item.active else "",
        "position": item.position,
        "refs-TOTAL_FORMS": str(len(refs)), "refs-INITIAL_FORMS": str(len(refs)),
        "refs-MIN_NUM_FORMS": "0", "refs-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, ref in enumerate(refs):
        data.update({
            f"refs-{i}-id": ref.pk, f"refs-{i}-product": item.pk, f"refs-{i}-area_code": ref.area_code,
            f"refs-{i}-units": str(ref.units), f"refs-{i}-sites": ref.sites, f"refs-{i}-given_with": ref.given_with,
            f"refs-{i}-citation": ref.citation,
        })  # fmt: skip
    data.update(overrides)
    return data


def test_an_administrator_changes_a_label_reference_and_it_is_audited(client_for, administrator):
    botox = product()
    ref = botox.references.order_by("area_code").first()
    client = client_for(administrator)
    assert botox.short_name in client.get(reverse("courses:author_products")).content.decode()
    index = list(botox.references.all()).index(ref)
    response = client.post(
        reverse("courses:author_product", args=[botox.pk]), product_data(botox, **{f"refs-{index}-units": "12.5"})
    )
    assert response.status_code == 302
    ref.refresh_from_db()
    assert str(ref.units) == "12.5"
    event = AuditEvent.objects.get(action="product.changed", object_id=str(botox.pk))
    assert event.actor == administrator
    assert event.details["references"][ref.area_code]["units"] == "12.5"


def test_bad_figures_are_refused_at_their_fields(client_for, administrator):
    botox = product()
    response = client_for(administrator).post(
        reverse("courses:author_product", args=[botox.pk]), product_data(botox, vial_sizes='["lots"]')
    )
    assert response.status_code == 200
    assert response.context["form"].errors["vial_sizes"] == ["A list of vial sizes in units, e.g. [50, 100]."]
    assert not AuditEvent.objects.exists()


def test_products_are_for_administrators_only(client_for, instructor, trainee):
    botox = product()
    for user in (instructor, trainee):
        client = client_for(user)
        assert client.get(reverse("courses:author_products")).status_code == 403
        assert client.post(reverse("courses:author_product", args=[botox.pk]), product_data(botox)).status_code == 403
