"""Products (issue 15, defect 1): every product's doses are checked against its own label,
not Botox's; the cumulative cap counts one product's units; a model given different
products within 90 days is warned about; existing sessions keep their product."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from courses.demo import seed_dysport_sessions
from courses.handson import face_sites
from courses.handson import services as handson
from courses.models import InjectionSession, Product
from courses.tests.factories import InjectionSessionFactory
from tests.support.handson import GLABELLA, RATINGS, data, post_data, record
from tests.support.products import ensure_catalogue, product

pytestmark = pytest.mark.django_db

# The labels' figures, written out here as the expectation: (product, area) -> (units, sites).
REFERENCES = {
    ("onabotulinumtoxinA", "glabella"): (20, 5),
    ("onabotulinumtoxinA", "lateral_canthal"): (24, 6),
    ("onabotulinumtoxinA", "forehead"): (20, 5),
    ("abobotulinumtoxinA", "glabella"): (50, 5),
    ("incobotulinumtoxinA", "glabella"): (20, 5),
    ("incobotulinumtoxinA", "forehead"): (20, 5),
    ("incobotulinumtoxinA", "lateral_canthal"): (24, 6),
    ("prabotulinumtoxinA", "glabella"): (20, 5),
    ("daxibotulinumtoxinA", "glabella"): (40, 5),
    ("letibotulinumtoxinA", "glabella"): (20, 5),
}
NAMES = {
    "onabotulinumtoxinA": "Botox",
    "abobotulinumtoxinA": "Dysport",
    "incobotulinumtoxinA": "Xeomin",
    "prabotulinumtoxinA": "Jeuveau",
    "daxibotulinumtoxinA": "Daxxify",
    "letibotulinumtoxinA": "Letybo",
}
WITHOUT_REFERENCE = [
    (code, area["code"]) for code in NAMES for area in face_sites.AREAS if (code, area["code"]) not in REFERENCES
]
CAPS = {"onabotulinumtoxinA": 400}  # no other label in the catalogue states a cumulative cap


def area_units(area: str, per_site) -> dict[str, Decimal]:
    return {s["code"]: Decimal(per_site) for s in face_sites.SITES if s["area"] == area}


def label(code: str) -> face_sites.ProductLabel:
    return Product.objects.prefetch_related("references").get(code=code).label()


@pytest.fixture(autouse=True)
def catalogue():
    ensure_catalogue()


# The seeded catalogue ------------------------------------------------------------------


def test_the_catalogue_holds_the_six_products_with_their_vials_and_caps():
    products = {p.code: p for p in Product.objects.all()}
    assert set(products) == set(NAMES)
    assert {code: p.short_name for code, p in products.items()} == NAMES
    assert {code: p.cap_units for code, p in products.items() if p.cap_units} == CAPS
    assert all(p.active for p in products.values())
    assert products["abobotulinumtoxinA"].vial_sizes == [300, 500]
    assert products["abobotulinumtoxinA"].unit_label == "Speywood units"
    assert "400 Units in a 3-month interval" in products["onabotulinumtoxinA"].cap_citation
    assert products["abobotulinumtoxinA"].cap_citation.startswith("No label cap")
    # Presets show the concentration they give.
    assert (Decimal(100), Decimal("2.5"), Decimal("4.00")) in products["onabotulinumtoxinA"].preset_rows
    assert (Decimal(300), Decimal("1.5"), Decimal("20.00")) in products["abobotulinumtoxinA"].preset_rows


@pytest.mark.parametrize(("code", "area"), REFERENCES)
def test_every_label_reference_is_seeded_with_its_citation(code, area):
    reference = label(code).references[area]
    assert (reference["units"], reference["sites"]) == REFERENCES[(code, area)]
    assert " US PI, 20" in reference["citation"]


@pytest.mark.parametrize(("code", "area"), REFERENCES)
def test_every_label_reference_is_the_dose_checked(code, area):
    units, sites = REFERENCES[(code, area)]
    product_label = label(code)
    partner = {"forehead": area_units("glabella", 4)} if (code, area) == ("onabotulinumtoxinA", "forehead") else {}
    at_label = area_units(area, Decimal(units) / sites)
    # at the label's dose: no warning, no note
    assert [w for w in face_sites.dose_warning_codes(at_label | partner.get(area, {}), product_label)
            if w["params"].get("area") == area] == []  # fmt: skip
    # one unit more: the warning quotes this product's dose, not Botox's
    first_site = next(iter(at_label))
    over = at_label | {first_site: at_label[first_site] + 1}
    warnings = face_sites.dose_warnings(over | partner.get(area, {}), product_label)
    area_name = face_sites.AREA_BY_CODE[area]["name"]
    assert f"{area_name}: {units + 1} U given; the on-label dose is {units} U over {sites} sites." in warnings


@pytest.mark.parametrize(("code", "area"), WITHOUT_REFERENCE)
def test_an_area_without_a_label_reference_is_a_note_not_a_warning(code, area):
    units = area_units(area, 3)
    codes = face_sites.dose_warning_codes(units, label(code))
    area_name = face_sites.AREA_BY_CODE[area]["name"]
    assert codes == [{"code": "area_no_reference", "params": {"area": area, "product": NAMES[code]}}]
    assert face_sites.warning_text(codes[0]) == (
        f"{area_name}: no label reference for {NAMES[code]}; the dose is not checked."
    )
    assert face_sites.dose_warnings(units, label(code)) == []


def test_botox_forehead_needs_the_glabella_but_xeomin_is_not_given_botox_rules():
    forehead = area_units("forehead", 4)
    assert face_sites.dose_warnings(forehead, label("onabotulinumtoxinA")) == [
        "Forehead lines: given without the glabellar lines; on label they are treated together "
        "(20 U to the glabellar lines)."
    ]
    assert face_sites.dose_warnings(forehead, label("incobotulinumtoxinA")) == []


# Sessions: the clinical defect -------------------------------------------------------


def test_a_correct_dysport_session_records_no_warning(enrolment, instructor):
    # 50 U of Dysport over the five glabellar sites: its label dose (Botox's 20 U was applied before)
    session = handson.session_save_draft(
        enrolment=enrolment, instructor=instructor, data=data(product="abobotulinumtoxinA"),
        units_by_site={site: Decimal(10) for site in GLABELLA}, ratings=RATINGS, acknowledged=False,
    )  # fmt: skip
    assert session.dose_warnings == []
    assert session.dose_warnings_acknowledged is False


def test_a_dysport_dose_off_its_label_warns_against_dysports_dose(enrolment, instructor):
    with pytest.raises(ValidationError):
        handson.session_save_draft(
            enrolment=enrolment, instructor=instructor, data=data(product="abobotulinumtoxinA"),
            units_by_site=GLABELLA, ratings=RATINGS, acknowledged=False,
        )  # fmt: skip
    session = record(enrolment, instructor, product="abobotulinumtoxinA")  # Botox's 20 U, given as Dysport
    assert session.dose_warning_texts == ["Glabellar lines: 20 U given; the on-label dose is 50 U over 5 sites."]


def test_a_daxxify_session_at_40_units_records_no_warning(enrolment, instructor):
    session = record(
        enrolment, instructor, product="daxibotulinumtoxinA", units={site: Decimal(8) for site in GLABELLA}
    )
    assert session.dose_warnings == []


def test_an_area_without_reference_needs_no_acknowledging_and_shows_as_a_note(enrolment, instructor):
    session = handson.session_save_draft(
        enrolment=enrolment, instructor=instructor, data=data(product="abobotulinumtoxinA"),
        units_by_site={**{site: Decimal(10) for site in GLABELLA}, "mentalis": Decimal(10)}, ratings=RATINGS,
    )  # fmt: skip
    assert session.dose_warning_texts == []
    assert session.dose_note_texts == ["Mentalis (chin): no label reference for Dysport; the dose is not checked."]
    assert session.has_dose_warnings is False


# The cumulative cap per product, and mixed products ----------------------------------

MASSETER = {code: Decimal(50) for code in face_sites.SITE_BY_CODE if code.startswith("masseter")}  # 300 U


def test_the_botox_cap_is_reached_by_botox_units(enrolment, instructor):
    record(enrolment, instructor, units=MASSETER, model_code="M-0500")
    third = record(enrolment, instructor, units={"mentalis": Decimal(8)} | MASSETER, model_code="M-0500", sign=False)
    assert third.dose_warning_texts[-1] == (
        "Model M-0500: 608 U of Botox in 90 days including earlier sessions; the label maximum is 400 U in 3 months."
    )


def test_dysport_units_do_not_count_towards_the_botox_cap(enrolment, instructor):
    record(enrolment, instructor, units=MASSETER, model_code="M-0500", product="abobotulinumtoxinA")
    record(enrolment, instructor, units=MASSETER, model_code="M-0500", product="abobotulinumtoxinA")
    botox = record(enrolment, instructor, units=MASSETER, model_code="M-0500", sign=False)
    assert not [w for w in botox.dose_warnings if w["code"] in ("model_over_product_maximum", "model_over_maximum")]


def test_a_product_without_a_label_cap_never_warns_about_a_cap(enrolment, instructor):
    record(enrolment, instructor, units=MASSETER, model_code="M-0500", product="abobotulinumtoxinA")
    again = record(enrolment, instructor, units=MASSETER, model_code="M-0500", product="abobotulinumtoxinA")
    assert not [w for w in again.dose_warnings if "maximum" in w["code"]]


def test_a_model_given_another_product_within_90_days_is_warned_about(enrolment, instructor):
    today = timezone.localdate()
    earlier = today - datetime.timedelta(days=17)
    long_ago = today - datetime.timedelta(days=120)
    record(enrolment, instructor, model_code="M-0147", product="incobotulinumtoxinA", performed_on=long_ago)
    record(enrolment, instructor, model_code="M-0147", product="abobotulinumtoxinA", performed_on=earlier,
           units={site: Decimal(10) for site in GLABELLA})  # fmt: skip
    now = record(enrolment, instructor, model_code="M-0147", sign=False)
    assert now.dose_warning_texts == [
        f"Model M-0147 received Dysport on {earlier.isoformat()} and Botox now; "
        "units of different products are not interchangeable."
    ]
    # the same product again, or another model: no such warning
    assert record(enrolment, instructor, model_code="M-0148", sign=False).dose_warnings == []


# The form and the pages ---------------------------------------------------------------


def test_the_form_refuses_an_inactive_or_unknown_product_at_the_field(client_for, enrolment, instructor):
    Product.objects.filter(code="abobotulinumtoxinA").update(active=False)
    client = client_for(instructor)
    url = reverse("courses:session_create", args=[enrolment.course.code])
    for code in ("abobotulinumtoxinA", "nonsense", ""):
        response = client.post(url, post_data(enrolment, product=code))
        assert response.status_code == 200
        assert response.context["form"].errors["product"] == [str(handson.MSG_PRODUCT)]
    assert not InjectionSession.objects.exists()
    page = client.get(url).content.decode()
    assert 'value="abobotulinumtoxinA"' not in page
    assert '<option value="onabotulinumtoxinA" selected>Botox (onabotulinumtoxinA)</option>' in page


def test_a_draft_keeps_its_product_after_the_product_is_made_inactive(client_for, enrolment, instructor):
    session = record(enrolment, instructor, product="abobotulinumtoxinA", sign=False,
                     units={site: Decimal(10) for site in GLABELLA})  # fmt: skip
    Product.objects.filter(code="abobotulinumtoxinA").update(active=False)
    client = client_for(instructor)
    page = client.get(reverse("courses:session_edit", args=[session.pk])).content.decode()
    assert '<option value="abobotulinumtoxinA" selected>Dysport (abobotulinumtoxinA)</option>' in page
    post = post_data(product="abobotulinumtoxinA", **{f"units_{s}": "10" for s in GLABELLA})
    response = client.post(reverse("courses:session_edit", args=[session.pk]), post)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.product.code == "abobotulinumtoxinA"


def test_the_form_checks_the_chart_against_the_product_posted_without_javascript(client_for, enrolment, instructor):
    client = client_for(instructor)
    url = reverse("courses:session_create", args=[enrolment.course.code])
    # a failed save (no clinic) re-shows the chart checked against Dysport's label
    posted = post_data(enrolment, product="abobotulinumtoxinA", clinic="", **{f"units_{s}": "12" for s in GLABELLA})
    page = client.post(url, posted).content.decode()
    assert "Glabellar lines: 60 U given; the on-label dose is 50 U over 5 sites." in page
    assert "Dysport label: 50 U over 5 sites." in page
    assert "No label cap for Dysport." in page
    # and the chart carries every active product's references for the live warnings
    chart = client.get(url).context["chart"]
    products = json.loads(chart["products_json"])
    assert products["abobotulinumtoxinA"]["areas"]["glabella"] == {
        "units": "50", "sites": 5, "per_site": "10", "given_with": "", "given_with_units": "",
    }  # fmt: skip
    assert products["onabotulinumtoxinA"]["cap"] == 400
    assert products["abobotulinumtoxinA"]["cap"] is None


def test_the_session_page_shows_the_product_and_its_worded_warnings(client_for, enrolment, instructor):
    units = {site: Decimal(12) for site in GLABELLA} | {"frontalis_3": Decimal(5)}
    session = record(enrolment, instructor, product="abobotulinumtoxinA", units=units)
    page = client_for(enrolment.trainee).get(reverse("courses:session_detail", args=[session.pk])).content.decode()
    assert "Dysport (abobotulinumtoxinA)" in page
    assert "Glabellar lines: 60 U given; the on-label dose is 50 U over 5 sites." in page
    assert "Forehead lines: no label reference for Dysport; the dose is not checked." in page
    assert "on-label dose is 20 U" not in page


def test_a_sessions_warnings_keep_what_they_said_when_the_reference_changes(enrolment, instructor):
    session = record(enrolment, instructor, product="abobotulinumtoxinA")
    product("abobotulinumtoxinA").references.filter(area_code="glabella").update(units=30)
    session.refresh_from_db()
    assert session.dose_warning_texts == ["Glabellar lines: 20 U given; the on-label dose is 50 U over 5 sites."]


def test_a_product_change_in_the_admin_is_audited(client_for, administrator):
    dysport = product("abobotulinumtoxinA")
    url = reverse("admin:courses_product_change", args=[dysport.pk])
    client = client_for(administrator)
    page = client.get(url)
    assert page.status_code == 200
    assert "300 U in 2.5 mL = 12 U per 0.1 mL" in page.content.decode()
    form = page.context["adminform"].form
    ref = dysport.references.get()
    posted = {
        **{k: v for k, v in form.initial.items() if v is not None and k != "id"},
        "vial_sizes": "[300, 500]", "reconstitution_presets": '[{"vial_units": 300, "diluent_ml": "2.5"}]',
        "active": "",  # made inactive
        "references-TOTAL_FORMS": "1", "references-INITIAL_FORMS": "1", "references-MIN_NUM_FORMS": "0",
        "references-MAX_NUM_FORMS": "1000", "references-0-id": ref.pk, "references-0-product": dysport.pk,
        "references-0-area_code": "glabella", "references-0-units": "50", "references-0-sites": "5",
        "references-0-given_with": "", "references-0-citation": ref.citation,
    }  # fmt: skip
    posted.pop("cap_units", None)
    response = client.post(url, posted)
    assert response.status_code == 302, response.context["adminform"].form.errors
    dysport.refresh_from_db()
    assert dysport.active is False
    event = AuditEvent.objects.filter(action="product.changed").get()
    assert event.details["references"]["glabella"]["units"] == "50.0"


def test_the_demo_has_a_correct_and_an_off_label_dysport_session(enrolment, instructor):
    seed_dysport_sessions(enrolment=enrolment, instructor=instructor)
    correct, off = InjectionSession.objects.filter(product__code="abobotulinumtoxinA").order_by("performed_on")
    assert correct.dose_warnings == []
    assert correct.is_signed
    assert off.dose_warning_texts == ["Glabellar lines: 60 U given; the on-label dose is 50 U over 5 sites."]


def test_the_session_factory_records_botox(enrolment):
    assert InjectionSessionFactory(enrolment=enrolment).product.code == "onabotulinumtoxinA"


# The data migration --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_existing_sessions_product(enrolment, instructor):
    # given sessions recorded with three products
    dysport = record(enrolment, instructor, product="abobotulinumtoxinA", model_code="M-0001")
    daxxify = record(enrolment, instructor, product="daxibotulinumtoxinA", model_code="M-0002")
    botox = record(enrolment, instructor, model_code="M-0003")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app: later apps' migrations depend on courses'
    try:
        # when the migrations are reversed, the sessions hold their product codes again
        executor.migrate([("courses", "0006_products")])
        old_apps = executor.loader.project_state([("courses", "0006_products")]).apps
        OldSession = old_apps.get_model("courses", "InjectionSession")
        assert dict(OldSession.objects.values_list("model_code", "product")) == {
            "M-0001": "abobotulinumtoxinA", "M-0002": "daxibotulinumtoxinA", "M-0003": "onabotulinumtoxinA",
        }  # fmt: skip
        # (a code the table never knew, written before the product table existed)
        OldSession.objects.filter(model_code="M-0003").update(product="toxinZ")
        # and forwards again, each session points at its own product's row
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    by_code = dict(InjectionSession.objects.values_list("model_code", "product__code"))
    assert by_code == {"M-0001": "abobotulinumtoxinA", "M-0002": "daxibotulinumtoxinA", "M-0003": "toxinZ"}
    assert InjectionSession.objects.get(pk=dysport.pk).product.short_name == "Dysport"
    assert InjectionSession.objects.get(pk=daxxify.pk).product.active is True
    unknown = InjectionSession.objects.get(pk=botox.pk).product
    assert unknown.active is False  # kept, but never offered for a new session
