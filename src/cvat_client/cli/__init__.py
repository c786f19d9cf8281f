"""The ``cvat-client`` command line (optional extra ``cvat-client[cli]``).

Run ``cvat-client --help`` (or ``python -m cvat_client --help``); see ``docs/cli.md``.
"""

from cvat_client.cli.app import cli, main
from cvat_client.cli.connection import CliEnvironment

__all__ = ["CliEnvironment", "cli", "main"]
