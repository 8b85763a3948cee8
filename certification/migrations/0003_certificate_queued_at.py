from django.db import migrations, models


def queued_when_created(apps, schema_editor):
    # Every certificate so far was enqueued when it was created (a retry since then was
    # not recorded): the stalled sweep measures from there, as it did from created_at.
    Certificate = apps.get_model("certification", "Certificate")
    Certificate.objects.filter(queued_at__isnull=True).update(queued_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0002_certificate_email_failure"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(queued_when_created, migrations.RunPython.noop, elidable=True),
    ]
