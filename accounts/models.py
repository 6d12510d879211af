"""What a token's owner knows it by, beside django-rest-knox's token.

knox stores a hash of each token (its AuthToken) and expires and revokes it; this row adds
the public id a token is revoked by, the device it was issued to and when it was last used.
It is a row of its own rather than a swapped KNOX_TOKEN_MODEL: knox's migrations create
their table whatever the setting, and a second, unused token table would be left holding a
key to every user.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

# How many leading characters of a token its owner is shown, to tell their tokens apart.
SHOWN_PREFIX = 8


class ApiTokenInfo(models.Model):
    token = models.OneToOneField(
        AuthToken, primary_key=True, on_delete=models.CASCADE, related_name="info"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    device = models.CharField(_("设备"), max_length=100, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… {self.device}"

    @property
    def prefix(self) -> str:
        return self.token.token_key[:SHOWN_PREFIX]
