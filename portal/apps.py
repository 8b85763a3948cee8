from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top layer: each role's dashboard, the router in front of them, the site's
    navigation and the demo seeding. It may import every app; no app imports it."""

    name = "portal"
    verbose_name = "Glabella portal"
