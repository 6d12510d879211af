"""Tokens are revoked from the user admin (an action), never made or read in the admin:
knox's own admin would issue a token with no device and show every token's hash."""

from django.contrib import admin
from knox.models import AuthToken

admin.site.unregister(AuthToken)
