"""cvat-client: a typed, fast Python SDK for CVAT.

The package has two layers:

* :mod:`cvat_client.api_client` - the low-level client, generated from CVAT's OpenAPI schema;
* :mod:`cvat_client.core` - the hand-written high-level client (``make_client``).

Importing this package is cheap: nothing heavy is imported until it is used.
"""

from cvat_client._version import __version__

__all__ = ["__version__"]
