"""A stateful CVAT 2.73 test server for tests and demos (optional extra ``cvat-client[testing]``).

>>> from cvat_client.testing import CvatTestServer
>>> with CvatTestServer() as server, server.sync_client(auth=("admin", "admin")) as http:
...     http.get("/api/server/about").json()["version"]
'2.73.0'

See ``docs/testing.md`` for the pytest plugin, live HTTP servers and fault injection.
"""

from __future__ import annotations

from cvat_client.testing.bridge import ASGIBridgeTransport
from cvat_client.testing.faults import FaultRule, Faults
from cvat_client.testing.server import DEFAULT_ADMIN, CvatTestServer

__all__ = ["DEFAULT_ADMIN", "ASGIBridgeTransport", "CvatTestServer", "FaultRule", "Faults"]
