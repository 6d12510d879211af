"""OpenAPI descriptions of our DRF authentication classes (drf-spectacular extensions)."""

from drf_spectacular.authentication import SessionScheme, TokenScheme


class HistorySessionScheme(SessionScheme):
    target_class = "core.authentication.HistorySessionAuthentication"


class HistoryTokenScheme(TokenScheme):
    target_class = "core.authentication.HistoryTokenAuthentication"
