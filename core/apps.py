from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from core.history import give_connection_its_own_system_context

        connection_created.connect(
            give_connection_its_own_system_context, dispatch_uid="zhulian.history.system_context"
        )
        from core import (  # noqa: F401
            schema,  # the OpenAPI postprocessing hook for bad cursors
            signals,  # connects the access-log receivers
        )
