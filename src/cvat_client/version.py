"""The package version, under cvat-sdk's name ``VERSION``."""

from cvat_client._version import __version__

#: This package's version (``cvat_client.__version__``).
VERSION = __version__

__all__ = ["VERSION"]
