"""The test server's routes, one module per API area."""

# No ``from __future__ import annotations`` here: it would shadow the ``annotations`` module.
from cvat_client.testing.routes import (
    annotations,
    auth_users,
    data,
    exports,
    jobs,
    labels,
    misc,
    orgs,
    projects,
    requests_api,
    server_info,
    tasks,
)
from cvat_client.testing.routing import Route


def all_routes() -> list[Route]:
    """Every route of the server, in matching order."""
    return [
        *server_info.ROUTES,
        *auth_users.ROUTES,
        *orgs.ROUTES,
        *requests_api.ROUTES,
        *exports.ROUTES,
        *data.ROUTES,
        *annotations.ROUTES,
        *projects.ROUTES,
        *labels.ROUTES,
        *tasks.ROUTES,
        *jobs.ROUTES,
        *misc.ROUTES,
    ]
