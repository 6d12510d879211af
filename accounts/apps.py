from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """A user's own credentials: API tokens (django-rest-knox) and the password."""

    name = "accounts"
    verbose_name = _("账号")
