"""``python -m cvat_client``: the command line (needs the ``cli`` extra)."""

from cvat_client.cli import main

if __name__ == "__main__":
    main()
