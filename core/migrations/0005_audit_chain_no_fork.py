from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_chain_existing_events")]

    operations = [
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("prev_hash",), name="audit_chain_no_fork"),
        ),
    ]
