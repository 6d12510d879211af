from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach"
    verbose_name = _("政策找人")

    def ready(self) -> None:
        """Show leads on the worklist, the household page and the dashboard (their slots)."""
        from outreach import panels

        panels.register()
