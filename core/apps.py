from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Glabella core"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from . import checks  # noqa: F401  (registers the deploy checks)
        from .logging import request_id_clear

        request_started.connect(request_id_clear, dispatch_uid="core.logging.request_id_clear.started")
        request_finished.connect(request_id_clear, dispatch_uid="core.logging.request_id_clear.finished")
