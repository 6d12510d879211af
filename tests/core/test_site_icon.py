"""Every page names the site's icon, so a browser does not ask for /favicon.ico (a 404 and a
console error on every page)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_name_an_icon_that_exists(client):
    html = client.get(reverse("login")).text
    match = re.search(r'<link rel="icon" href="/static/([^"]+)"', html)
    assert match, "no <link rel=icon> on the page"
    assert finders.find(match.group(1))
