from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "ledgers"
    verbose_name = "台账"

    def ready(self) -> None:
        # Each app's ledgers.py is imported here, as the admin imports each admin.py: a broken
        # one stops start-up with its own traceback instead of answering 404 ever after. The
        # apps above provide there what the machinery asks of them (ledgers.hooks), so a
        # missing one stops start-up too, not the first export or import that needs it.
        from ledgers import hooks
        from ledgers.definitions import autodiscover

        autodiscover()
        hooks.check()
