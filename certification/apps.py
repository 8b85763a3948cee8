from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = "Certification"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 (connects the signal receivers)
        from .credentials import checks  # noqa: F401 (registers the system check)
