"""The ``cvat-client`` command line (optional extra ``cvat-client[cli]``).

Run ``cvat-client --help`` (or ``python -m cvat_client --help``); see ``docs/cli.md``.
"""

try:
    import click as _click  # noqa: F401
    import jsonc as _jsonc  # noqa: F401
    import tqdm as _tqdm  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "The cvat-client command line needs its extra: pip install 'cvat-client[cli]'"
    ) from exc

from cvat_client.cli.app import cli, logger, main
from cvat_client.cli.connection import CliEnvironment

__all__ = ["CliEnvironment", "cli", "logger", "main"]
