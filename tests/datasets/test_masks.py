"""cvat_client.masks against cvat-sdk's masks: the same encodings, round trips, errors."""

from __future__ import annotations

import numpy as np
import pytest
from cvat_sdk import masks as sdk_masks

from cvat_client.masks import decode_mask, encode_mask


def _bitmaps() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    maps = [
        rng.random((h, w)) < p for h, w, p in [(5, 7, 0.5), (30, 20, 0.1), (1, 1, 1.0), (9, 4, 0.9)]
    ]
    empty = np.zeros((6, 6), dtype=bool)
    full = np.ones((3, 8), dtype=bool)
    corner = np.zeros((10, 12), dtype=bool)
    corner[0, 0] = True
    corner[9, 11] = True
    return [*maps, empty, full, corner]


@pytest.mark.parametrize("index", range(7))
def test_encode_agrees_with_cvat_sdk_and_round_trips(index: int) -> None:
    bitmap = _bitmaps()[index]
    encoded = encode_mask(bitmap)
    assert encoded == sdk_masks.encode_mask(bitmap)
    height, width = bitmap.shape
    decoded = decode_mask(encoded, image_width=width, image_height=height)
    assert decoded.dtype == np.bool_
    np.testing.assert_array_equal(decoded, bitmap)
    np.testing.assert_array_equal(
        decoded, sdk_masks.decode_mask(encoded, image_width=width, image_height=height)
    )


def test_encode_with_bbox_agrees() -> None:
    bitmap = _bitmaps()[1]
    for bbox in ([0, 0, 20, 30], [2.5, 3.2, 10.1, 17.9], [19, 29, 20, 30]):
        assert encode_mask(bitmap, bbox) == sdk_masks.encode_mask(bitmap, bbox)
        decoded = decode_mask(encode_mask(bitmap, bbox), image_width=20, image_height=30)
        np.testing.assert_array_equal(
            decoded,
            sdk_masks.decode_mask(
                sdk_masks.encode_mask(bitmap, bbox), image_width=20, image_height=30
            ),
        )


def test_float_points_decode_like_the_server_sends_them() -> None:
    bitmap = _bitmaps()[0]
    as_floats = [float(v) for v in encode_mask(bitmap)]
    np.testing.assert_array_equal(decode_mask(as_floats, image_width=7, image_height=5), bitmap)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: encode_mask(np.zeros((2, 2, 2), dtype=bool)), "2 dimensions"),
        (lambda: encode_mask(np.zeros((2, 2), dtype=np.uint8)), "boolean"),
        (lambda: encode_mask(np.zeros((2, 2), dtype=bool), [0, 0, 3, 1]), "bbox"),
        (lambda: decode_mask([1, 2, 3, 4], image_width=2, image_height=2), "too few"),
        (lambda: decode_mask([1, 0, 0, 0, 0], image_width=0, image_height=2), "dimensions"),
        (lambda: decode_mask([1.5, 0, 0, 0, 0], image_width=2, image_height=2), "non-integer"),
        (lambda: decode_mask([1, 0, 0, 5, 0], image_width=2, image_height=2), "bounding box"),
        (lambda: decode_mask([2, 0, 0, 0, 0], image_width=2, image_height=2), "does not match"),
    ],
)
def test_errors_are_value_errors_as_in_cvat_sdk(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_missing_numpy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from cvat_client._extras import MissingExtraError

    monkeypatch.delitem(sys.modules, "cvat_client.masks", raising=False)
    monkeypatch.setitem(sys.modules, "numpy", None)  # makes "import numpy" fail
    with pytest.raises(ModuleNotFoundError, match=r'pip install "cvat-client\[masks\]"') as info:
        import cvat_client.masks  # noqa: F401
    assert isinstance(info.value, MissingExtraError)
