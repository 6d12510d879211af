from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"

    def ready(self) -> None:
        """Plug into the apps below, which do not import matching/: a visit records needs in
        the needs list; the household page and file and the worklist show needs' panels.

        Imported here, not guarded: a needs list that cannot load stops the start-up."""
        from matching import panels, visit_needs

        visit_needs.register()
        panels.register()
