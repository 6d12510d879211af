from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """A user's own credentials: API tokens (django-rest-knox) and the password."""

    name = "accounts"
    verbose_name = _("账号")

    def ready(self) -> None:
        from accounts import schema  # noqa: F401 — registers the authentication schemes
