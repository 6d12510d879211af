from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("家庭档案")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from households.models import ensure_categories

        post_migrate.connect(ensure_categories, sender=self, dispatch_uid="ensure_categories")
