"""An example lightsail-stub scenario plugin: the database is in its maintenance window."""

from lightsail_stub.scenarios import Scenario, fail, for_operation


def maintenance_window() -> Scenario:
    """Every snapshot create fails as if the database were being maintained."""
    return for_operation(
        "CreateRelationalDatabaseSnapshot",
        fail("OperationFailureException", "The database is in its maintenance window."),
    )
