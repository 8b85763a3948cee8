import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    # Exits non-zero when a model change has no migration (or a migration bakes in a
    # machine-specific value such as an absolute storage path).
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
