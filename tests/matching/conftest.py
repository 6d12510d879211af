from tests.factories.resources import pool  # noqa: F401
