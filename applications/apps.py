from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    """一门受理、协同办理: applications taken at one window, routed, clocked and decided."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = "一门受理"

    def ready(self) -> None:
        """Show applications on the household page and the clock on the dashboard."""
        from applications import panels

        panels.register()
