"""Demo data: a 姑苏区-like district with its streets, communities, users and households.

An app of its own so that the apps it fills do not depend on it; `demo.seed.seed_demo()` is
what `manage.py seed_demo` runs. This package imports no models: Django imports it while the
app registry is still being filled.
"""
