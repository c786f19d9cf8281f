"""The test server's routes, one module per API area."""

from __future__ import annotations

from cvat_client.testing.routing import Route


def all_routes() -> list[Route]:
    """Every route of the server, in matching order."""
    from cvat_client.testing.routes import (
        annotations,
        auth_users,
        data,
        exports,
        jobs,
        misc,
        orgs,
        projects,
        requests_api,
        server_info,
        tasks,
    )

    return [
        *server_info.ROUTES,
        *auth_users.ROUTES,
        *orgs.ROUTES,
        *requests_api.ROUTES,
        *exports.ROUTES,
        *data.ROUTES,
        *annotations.ROUTES,
        *projects.ROUTES,
        *tasks.ROUTES,
        *jobs.ROUTES,
        *misc.ROUTES,
    ]
