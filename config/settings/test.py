"""Test settings: only speed and determinism differ from base."""

import os
import tempfile
from pathlib import Path

# Fixed, throwaway keys so the suite is deterministic; base still refuses to start without
# them when DEBUG is off, which is what tests/test_settings.py checks.
os.environ.setdefault("DJANGO_SECRET_KEY", "zhulian-test-secret-key-not-for-production")
os.environ.setdefault("ZHULIAN_ID_KEY", "dGVzdC1vbmx5LWlkZW50aXR5LW51bWJlci1rZXkhISE=")
# The test client and the browser tests' live server speak plain HTTP on loopback.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")

# Export files of a test run go to a directory of its own, not the checkout's .data/.
if "ZHULIAN_EXPORT_DIR" not in os.environ:
    import tempfile

    os.environ["ZHULIAN_EXPORT_DIR"] = tempfile.mkdtemp(prefix="zhulian-test-exports-")

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Tests that keep photos point this at their own tmp_path.
    "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(tempfile.gettempdir()) / "zhulian-test-photos")},
    },
}
