"""Sessions point at the product table: each existing session's product code is mapped
to its row (a code the table does not know gets an inactive row of its own, so no
session changes what it said). Reversible: the codes are written back.

The foreign key is added here as ``product_ref``; 0008 drops the old code column and
renames it, in its own transaction (PostgreSQL will not alter a table with pending
deferred foreign-key checks from this migration's updates).
"""

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    Product = apps.get_model("courses", "Product")
    InjectionSession = apps.get_model("courses", "InjectionSession")
    by_code = {p.code: p for p in Product.objects.all()}
    for code in InjectionSession.objects.values_list("product", flat=True).distinct():
        if code not in by_code:
            by_code[code] = Product.objects.create(
                code=code, generic_name=code, brand_names=code, unit_label="units", active=False, position=99
            )
        InjectionSession.objects.filter(product=code).update(product_ref=by_code[code])


def backwards(apps, schema_editor):
    Product = apps.get_model("courses", "Product")
    InjectionSession = apps.get_model("courses", "InjectionSession")
    for product in Product.objects.all():
        InjectionSession.objects.filter(product_ref=product).update(product=product.code[:30])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_products"),
    ]

    operations = [
        migrations.AddField(
            model_name="injectionsession",
            name="product_ref",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="courses.product"
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
