"""cvat-sdk's helper methods of ``ApiClient`` that scripts call directly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cvat_client._lowlevel.model_utils import to_json

__all__ = ["SdkHelpersMixin"]


class SdkHelpersMixin:
    """``sanitize_for_serialization``, ``select_header_accept`` and
    ``select_header_content_type``, as cvat-sdk's ``ApiClient`` has them."""

    @classmethod
    def sanitize_for_serialization(cls, obj: Any, *, read_files: bool = True) -> Any:
        """The JSON data of ``obj`` (models, enums, dates, lists and dicts of them); open
        files become their bytes unless ``read_files`` is false (see `to_json`)."""
        return to_json(obj, read_files=read_files)

    def select_header_accept(self, accepts: Sequence[str]) -> str | None:
        """The ``Accept`` value for these media types: JSON when it is among them."""
        if not accepts:
            return None
        lowered = [media.lower() for media in accepts]
        return "application/json" if "application/json" in lowered else ", ".join(lowered)

    def select_header_content_type(
        self, content_types: Sequence[str], method: str | None = None, body: Any = None
    ) -> str | None:
        """The ``Content-Type`` to send among these: JSON when allowed (JSON Patch for a
        ``PATCH`` with a list body when offered), else the first."""
        if not content_types:
            return None
        lowered = [media.lower() for media in content_types]
        if (
            method == "PATCH"
            and "application/json-patch+json" in lowered
            and isinstance(body, list)
        ):
            return "application/json-patch+json"
        if "application/json" in lowered or "*/*" in lowered:
            return "application/json"
        return lowered[0]
