"""The product code column gives way to the foreign key that 0007 filled in."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0007_session_product_fk"),
    ]

    operations = [
        migrations.RemoveField(model_name="injectionsession", name="product"),
        migrations.RenameField(model_name="injectionsession", old_name="product_ref", new_name="product"),
        migrations.AlterField(
            model_name="injectionsession",
            name="product",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sessions",
                to="courses.product",
                verbose_name="product",
            ),
        ),
    ]
