"""The errors of auto-annotation."""

from __future__ import annotations

from cvat_client.core.exceptions import CvatSdkException

__all__ = ["AutoAnnotationUploadError", "BadFunctionError", "InvalidThresholdError"]


class BadFunctionError(CvatSdkException):
    """An auto-annotation function broke a rule of its interface.

    Raised for a bad spec (duplicate or missing ids, a sublabel that is not a point...),
    for a spec that does not fit the task's labels, and for a bad result (an unknown
    label, a shape of the wrong type, a skeleton with missing points, a bad attribute
    value...). Messages name the frame and the problem. Nothing on the server has
    changed when it is raised by [`annotate_task`][cvat_client.auto_annotation.annotate_task].
    """


class InvalidThresholdError(CvatSdkException, ValueError):
    """``conf_threshold`` is neither ``None`` nor a number between 0 and 1."""


class AutoAnnotationUploadError(CvatSdkException):
    """Uploading the results of an auto-annotation run failed for good.

    Attributes:
        frames_on_server: the frames whose results are on the server (sorted).
        frames_missing: the frames whose results could not be sent (sorted).
    """

    def __init__(
        self, message: str, *, frames_on_server: list[int], frames_missing: list[int]
    ) -> None:
        super().__init__(message)
        self.frames_on_server = frames_on_server
        self.frames_missing = frames_missing
