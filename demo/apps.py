from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models and nothing in the admin: an app only so `manage.py seed_demo` is found."""

    name = "demo"
