from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from django.core.signals import setting_changed
        from django.db.models.signals import post_migrate

        from access.scope import register_lender
        from cases import panels
        from cases.defaults import ensure_default_tier_rules
        from cases.lending import lent_households
        from cases.receivers import schedule_registered_households
        from households.signals import households_registered

        post_migrate.connect(
            ensure_default_tier_rules, sender=self, dispatch_uid="ensure_default_tier_rules"
        )
        register_lender(lent_households)
        setting_changed.connect(_photo_storage_changed, dispatch_uid="photo_storage_changed")
        households_registered.connect(
            schedule_registered_households, dispatch_uid="schedule_registered_households"
        )
        panels.register()


def _photo_storage_changed(*, setting: str, **kwargs: object) -> None:
    if setting == "STORAGES":
        from django.utils.functional import empty

        from cases.models import PHOTO_STORAGE

        PHOTO_STORAGE._wrapped = empty
