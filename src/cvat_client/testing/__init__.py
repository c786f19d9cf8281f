"""A stateful CVAT 2.73 test server for tests and demos (optional extra ``cvat-client[testing]``).

>>> from cvat_client.testing import CvatTestServer
>>> with CvatTestServer() as server, server.sync_client(auth=("admin", "admin")) as http:
...     http.get("/api/server/about").json()["version"]
'2.73.0'

See ``docs/testing.md`` for the pytest plugin, live HTTP servers and fault injection.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvat_client.testing.bridge import ASGIBridgeTransport
    from cvat_client.testing.faults import FaultRule, Faults
    from cvat_client.testing.server import DEFAULT_ADMIN, CvatTestServer

__all__ = ["DEFAULT_ADMIN", "ASGIBridgeTransport", "CvatTestServer", "FaultRule", "Faults"]

# Imported on first use, so that a missing extra gives one clear error (and
# ``python -m cvat_client.testing`` can say it in one line).
_EXPORTS = {
    "ASGIBridgeTransport": "cvat_client.testing.bridge",
    "FaultRule": "cvat_client.testing.faults",
    "Faults": "cvat_client.testing.faults",
    "DEFAULT_ADMIN": "cvat_client.testing.server",
    "CvatTestServer": "cvat_client.testing.server",
}


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(
            f"The CVAT test server needs the 'testing' extra ({exc.name} is missing): "
            "pip install 'cvat-client[testing]'"
        ) from exc
    value = getattr(module, name)
    globals()[name] = value
    return value
