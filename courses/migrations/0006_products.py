"""The product table and its label references per area, seeded from the US labels.

Units of botulinum toxin products are not interchangeable, so each product has its own
reference doses and (only where its label states one) its own cumulative cap. The
figures are frozen here as they were seeded; later changes are made in the admin. A
clinician must review them before they are relied on (README, "Products").
"""

import django.db.models.deletion
from django.db import migrations, models


def _preset(vial_units, diluent_ml):
    return {"vial_units": vial_units, "diluent_ml": diluent_ml}


BOTOX_PI = "BOTOX Cosmetic (onabotulinumtoxinA) US PI, 2023"
DYSPORT_PI = "Dysport (abobotulinumtoxinA) US PI, 2023"
XEOMIN_PI = "Xeomin (incobotulinumtoxinA) US PI, 2024"
JEUVEAU_PI = "Jeuveau (prabotulinumtoxinA-xvfs) US PI, 2023"
DAXXIFY_PI = "Daxxify (daxibotulinumtoxinA-lanm) US PI, 2023"
LETYBO_PI = "Letybo (letibotulinumtoxinA-wlbg) US PI, 2024"

# (product fields, [(area, units, sites, given_with, citation), …])
PRODUCTS = [
    (
        {
            "code": "onabotulinumtoxinA", "generic_name": "onabotulinumtoxinA",
            "brand_names": "Botox / Botox Cosmetic / Vistabel", "unit_label": "Allergan units",
            "vial_sizes": [50, 100], "reconstitution_presets": [_preset(100, "2.5"), _preset(50, "1.25")],
            "cap_units": 400,
            "cap_citation": f"{BOTOX_PI}, 2.1: the cumulative dose for one or more indications should not "
            "exceed 400 Units in a 3-month interval.",
            "position": 1,
        },
        [
            ("glabella", 20, 5, "", f"{BOTOX_PI}: glabellar lines 20 U in 5 × 4 U (0.1 mL each)."),
            ("lateral_canthal", 24, 6, "", f"{BOTOX_PI}: lateral canthal lines 24 U, 3 × 4 U a side."),
            ("forehead", 20, 5, "glabella",
             f"{BOTOX_PI}: forehead lines 20 U in 5 × 4 U, given with glabellar lines 20 U (to reduce brow ptosis)."),
        ],
    ),
    (
        {
            "code": "abobotulinumtoxinA", "generic_name": "abobotulinumtoxinA",
            "brand_names": "Dysport / Azzalure", "unit_label": "Speywood units",
            "vial_sizes": [300, 500], "reconstitution_presets": [_preset(300, "2.5"), _preset(300, "1.5")],
            "cap_units": None, "cap_citation": f"No label cap: {DYSPORT_PI} states no cumulative cap for glabellar lines.",
            "position": 2,
        },
        [("glabella", 50, 5, "", f"{DYSPORT_PI}: glabellar lines 50 U in 5 × 10 U; no other aesthetic area on the US label.")],
    ),
    (
        {
            "code": "incobotulinumtoxinA", "generic_name": "incobotulinumtoxinA",
            "brand_names": "Xeomin / Bocouture", "unit_label": "Merz units",
            "vial_sizes": [50, 100], "reconstitution_presets": [_preset(100, "2.5"), _preset(50, "1.25")],
            "cap_units": None, "cap_citation": f"No label cap recorded for aesthetic use in {XEOMIN_PI}.",
            "position": 3,
        },
        [
            ("glabella", 20, 5, "", f"{XEOMIN_PI}: glabellar lines 20 U in 5 × 4 U."),
            ("forehead", 20, 5, "", f"{XEOMIN_PI}: upper facial lines, forehead lines 20 U in 5 × 4 U."),
            ("lateral_canthal", 24, 6, "", f"{XEOMIN_PI}: upper facial lines, lateral canthal lines 24 U, 3 × 4 U a side."),
        ],
    ),
    (
        {
            "code": "prabotulinumtoxinA", "generic_name": "prabotulinumtoxinA",
            "brand_names": "Jeuveau / Nuceiva", "unit_label": "Jeuveau units",
            "vial_sizes": [100], "reconstitution_presets": [_preset(100, "2.5")],
            "cap_units": None, "cap_citation": f"No label cap recorded in {JEUVEAU_PI}.",
            "position": 4,
        },
        [("glabella", 20, 5, "", f"{JEUVEAU_PI}: glabellar lines 20 U in 5 × 4 U.")],
    ),
    (
        {
            "code": "daxibotulinumtoxinA", "generic_name": "daxibotulinumtoxinA",
            "brand_names": "Daxxify", "unit_label": "Daxxify units",
            "vial_sizes": [50, 100], "reconstitution_presets": [_preset(100, "1.2"), _preset(50, "0.6")],
            "cap_units": None, "cap_citation": f"No label cap recorded for glabellar lines in {DAXXIFY_PI}.",
            "position": 5,
        },
        [("glabella", 40, 5, "", f"{DAXXIFY_PI}: glabellar lines 40 U in 5 × 8 U (0.1 mL each).")],
    ),
    (
        {
            "code": "letibotulinumtoxinA", "generic_name": "letibotulinumtoxinA",
            "brand_names": "Letybo", "unit_label": "Letybo units",
            "vial_sizes": [50, 100], "reconstitution_presets": [_preset(100, "2.5"), _preset(50, "1.25")],
            "cap_units": None, "cap_citation": f"No label cap recorded in {LETYBO_PI}.",
            "position": 6,
        },
        [("glabella", 20, 5, "", f"{LETYBO_PI}: glabellar lines 20 U in 5 × 4 U.")],
    ),
]  # fmt: skip


def seed(apps, schema_editor):
    """Adds the products and references that are missing; never changes existing rows."""
    Product = apps.get_model("courses", "Product")
    ProductAreaReference = apps.get_model("courses", "ProductAreaReference")
    for fields, references in PRODUCTS:
        product, _created = Product.objects.get_or_create(code=fields["code"], defaults=fields)
        for area, units, sites, given_with, citation in references:
            ProductAreaReference.objects.get_or_create(
                product=product,
                area_code=area,
                defaults={"units": units, "sites": sites, "given_with": given_with, "citation": citation},
            )


def unseed(apps, schema_editor):
    apps.get_model("courses", "Product").objects.filter(code__in=[f["code"] for f, _refs in PRODUCTS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0005_dose_warning_codes'),
    ]

    operations = [
        migrations.CreateModel(
            name='Product',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(help_text='e.g. abobotulinumtoxinA', max_length=40, unique=True, verbose_name='code')),
                ('generic_name', models.CharField(max_length=60, verbose_name='generic name')),
                ('brand_names', models.CharField(help_text='Separated by “ / ”; the first is shown in warnings.', max_length=120, verbose_name='brand names')),
                ('unit_label', models.CharField(help_text='e.g. Allergan units, Speywood units', max_length=60, verbose_name='units')),
                ('vial_sizes', models.JSONField(blank=True, default=list, verbose_name='vial sizes (U)')),
                ('reconstitution_presets', models.JSONField(blank=True, default=list, verbose_name='reconstitution presets')),
                ('cap_units', models.PositiveIntegerField(blank=True, help_text='Only where the label states one; empty means no label cap.', null=True, verbose_name='cumulative cap (U per model in 3 months)')),
                ('cap_citation', models.TextField(blank=True, verbose_name='cap citation')),
                ('active', models.BooleanField(default=True, help_text='Inactive products cannot be chosen.', verbose_name='active')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
            ],
            options={
                'ordering': ['position', 'generic_name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('cap_units__isnull', True), ('cap_units__gt', 0), _connector='OR'), name='product_cap_positive')],
            },
        ),
        migrations.CreateModel(
            name='ProductAreaReference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('area_code', models.CharField(choices=[('glabella', 'Glabellar lines'), ('forehead', 'Forehead lines'), ('lateral_canthal', "Lateral canthal lines (crow's feet)"), ('bunny_lines', 'Bunny lines (nasalis)'), ('perioral', 'Perioral (lip) lines'), ('dao', 'Depressor anguli oris (DAO)'), ('mentalis', 'Mentalis (chin)'), ('masseter', 'Masseter (optional)')], max_length=40, verbose_name='area')),
                ('units', models.DecimalField(decimal_places=1, max_digits=6, verbose_name='reference units')),
                ('sites', models.PositiveSmallIntegerField(verbose_name='reference sites')),
                ('given_with', models.CharField(blank=True, choices=[('glabella', 'Glabellar lines'), ('forehead', 'Forehead lines'), ('lateral_canthal', "Lateral canthal lines (crow's feet)"), ('bunny_lines', 'Bunny lines (nasalis)'), ('perioral', 'Perioral (lip) lines'), ('dao', 'Depressor anguli oris (DAO)'), ('mentalis', 'Mentalis (chin)'), ('masseter', 'Masseter (optional)')], help_text='An area the label says this one is treated together with.', max_length=40, verbose_name='given with')),
                ('citation', models.TextField(help_text='e.g. BOTOX Cosmetic US PI, 2023: glabellar lines 20 U', verbose_name='citation')),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='references', to='courses.product')),
            ],
            options={
                'ordering': ['product', 'area_code'],
                'constraints': [models.UniqueConstraint(fields=('product', 'area_code'), name='product_area_reference_once'), models.CheckConstraint(condition=models.Q(('units__gt', 0), ('sites__gt', 0)), name='product_reference_positive')],
            },
        ),
        migrations.RunPython(seed, unseed, elidable=False),
    ]
