from tests.permission_matrix.world import replica_is_default, world  # noqa: F401
