from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if settings.SECRET_KEY_FROM_ENVIRONMENT or settings.DEBUG:
        return []
    return [Error("DJANGO_SECRET_KEY is not set.", hint="Set it in the environment.", id="glabella.E001")]
