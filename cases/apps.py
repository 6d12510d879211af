from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cases.defaults import ensure_default_tier_rules

        post_migrate.connect(
            ensure_default_tier_rules, sender=self, dispatch_uid="ensure_default_tier_rules"
        )
