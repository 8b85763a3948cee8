"""What the WSGI and ASGI entry points both check before they serve."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MSG_THROWAWAY_KEY = "Set DJANGO_SECRET_KEY: Glabella will not serve with a throwaway key."


def refuse_throwaway_secret_key() -> None:
    """Raise ImproperlyConfigured unless DJANGO_SECRET_KEY came from the environment (or
    DEBUG is on). Without it the settings make up a random key so that management
    commands still run; a server using it would sign sessions and tokens that no other
    process, and no restart, can check."""
    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENVIRONMENT:
        raise ImproperlyConfigured(MSG_THROWAWAY_KEY)
