"""``python -m cvat_client``: the command line (needs the ``cli`` extra)."""

import sys

from cvat_client.cli import main

if __name__ == "__main__":
    sys.exit(main())
