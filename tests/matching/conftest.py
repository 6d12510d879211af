from tests.resources.fixtures import pool  # noqa: F401
