"""The command groups of ``cvat-client``, one module each."""
