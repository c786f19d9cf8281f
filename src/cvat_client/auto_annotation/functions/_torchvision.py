"""The part every torchvision function shares: the model, its transforms and its labels."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from cvat_client.auto_annotation import interface as cvataa

__all__ = ["TorchvisionFunction", "import_torchvision"]


def import_torchvision() -> Any:
    """``torchvision.models``, or an error naming the extra to install."""
    try:
        import torchvision.models
    except ImportError as exc:
        raise ImportError(
            'the torchvision functions need their extra: pip install "cvat-client[pytorch]"'
        ) from exc
    return torchvision.models


class TorchvisionFunction:
    """A detection function around a torchvision model with pretrained weights."""

    _label_type = "any"

    def __init__(self, model_name: str, weights_name: str = "DEFAULT", **kwargs: Any) -> None:
        models = import_torchvision()
        self._weights = models.get_model_weights(model_name)[weights_name]
        self._transforms = self._weights.transforms()
        self._model = models.get_model(model_name, weights=self._weights, **kwargs)
        self._model.eval()

    @cached_property
    def spec(self) -> cvataa.DetectionFunctionSpec:
        """One label per category of the weights (torchvision's ``"N/A"`` gaps left out)."""
        return cvataa.DetectionFunctionSpec(
            labels=[
                cvataa.label_spec(category, index, type=self._label_type)
                for index, category in enumerate(self._weights.meta["categories"])
                if category != "N/A"
            ]
        )

    def _run(self, image: Any) -> Any:
        import torch

        with torch.inference_mode():
            return self._model([self._transforms(image)])
