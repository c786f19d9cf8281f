"""Video tasks on the test server: frames, chunks, meta, ranges, refusals, backups, cvat-sdk."""

from __future__ import annotations

import io
import math
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

av = pytest.importorskip("av")

from cvat_client.exceptions import ApiException, BackgroundRequestException  # noqa: E402
from cvat_client.testing import CvatTestServer  # noqa: E402
from tests._video import decode, even, make_video, psnr  # noqa: E402

FAST_POLL = 0.01


VIDEOS = {
    # name: (file name, codec, width, height, frames, variable frame rate)
    "h264": ("clip.mp4", "libx264", 64, 48, 14, False),
    "vp8-odd": ("odd.webm", "libvpx", 65, 49, 9, False),
    "vfr": ("vfr.mkv", "libx264", 48, 32, 10, True),
}


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("videos")
    return {
        key: make_video(folder / name, codec, w, h, n, vfr=vfr)
        for key, (name, codec, w, h, n, vfr) in VIDEOS.items()
    }


@pytest.fixture
def client(cvat_server: CvatTestServer, cvat_admin: tuple[str, str]) -> Iterator[Any]:
    from cvat_client import Config, make_client
    from cvat_client.testing.bridge import ASGIBridgeTransport

    with make_client(
        "http://testserver",
        credentials=cvat_admin,
        config=Config(status_check_period=FAST_POLL),
        transport=ASGIBridgeTransport(cvat_server.app),
    ) as made:
        yield made


def create(client: Any, path: Path, **params: Any) -> Any:
    spec = {"name": "video", "labels": [{"name": "car"}]}
    return client.tasks.create_from_data(spec, resources=[path], data_params=params or None)


@pytest.mark.parametrize("key", list(VIDEOS))
def test_frames_chunks_and_meta_agree_with_the_source(
    client: Any, videos: dict[str, Path], key: str, tmp_path: Path
) -> None:
    name, _codec, width, height, count, _vfr = VIDEOS[key]
    source = decode(videos[key])
    assert len(source) == count
    task = create(client, videos[key], chunk_size=4)
    assert (task.size, task.mode) == (count, "interpolation")
    assert (task.data_original_chunk_type, task.data_compressed_chunk_type) == ("video", "video")
    meta = task.get_meta()
    assert (meta.size, meta.start_frame, meta.stop_frame, meta.chunk_size) == (
        count,
        0,
        count - 1,
        4,
    )
    assert [(f.name, f.width, f.height) for f in meta.frames] == [(name, width, height)]
    served = (even(width), even(height))  # H.264 chunks round odd sizes up

    for quality, floor in (("original", 40.0), ("compressed", 30.0)):
        chunk_frames: list[Image.Image] = []
        for number in range(math.ceil(count / 4)):
            buf = io.BytesIO()
            task.download_chunk(number, buf, quality=quality)
            decoded = decode(buf.getvalue())
            assert len(decoded) == min(4, count - 4 * number)
            chunk_frames.extend(decoded)
        assert [f.size for f in chunk_frames] == [served] * count
        for index in range(count):
            with Image.open(task.get_frame(index, quality=quality)) as image:
                assert image.format == "PNG" and image.size == served
                assert psnr(image, source[index]) >= floor, (quality, index)
                assert psnr(chunk_frames[index], source[index]) >= floor
                # each frame is closest to its own source frame
                others = [psnr(image, s) for i, s in enumerate(source) if i != index]
                assert psnr(image, source[index]) > max(others)

    outdir = tmp_path / "frames"
    task.download_frames(range(count), outdir=outdir, quality="original")
    files = sorted(outdir.iterdir())
    assert len(files) == count and all(f.suffix == ".png" for f in files)
    with Image.open(files[-1]) as last:
        assert last.size == served and psnr(last, source[-1]) >= 40


def test_frame_range_and_step(client: Any, videos: dict[str, Path]) -> None:
    source = decode(videos["h264"])
    task = create(client, videos["h264"], start_frame=2, stop_frame=11, frame_step=3, chunk_size=2)
    taken = [2, 5, 8, 11]
    meta = task.get_meta()
    assert (task.size, meta.size, meta.start_frame, meta.stop_frame) == (4, 4, 2, 11)
    assert meta.frame_filter == "step=3"
    for index, number in enumerate(taken):
        with Image.open(task.get_frame(index)) as image:
            assert psnr(image, source[number]) >= 40
    # a stop frame past the end is clipped to the last frame actually taken
    clipped = create(client, videos["h264"], start_frame=1, stop_frame=100, frame_step=5)
    assert (clipped.size, clipped.get_meta().stop_frame) == (3, 11)


def test_zip_chunks_jobs_and_preview(client: Any, videos: dict[str, Path]) -> None:
    source = decode(videos["vp8-odd"])
    task = client.tasks.create_from_data(
        {"name": "zip", "labels": [{"name": "car"}], "segment_size": 4},
        resources=[videos["vp8-odd"]],
        data_params={"use_zip_chunks": True, "chunk_size": 3, "use_cache": True},
    )
    assert task.data_compressed_chunk_type == "imageset"
    buf = io.BytesIO()
    task.download_chunk(0, buf, quality="compressed")
    with zipfile.ZipFile(buf) as archive:
        assert archive.namelist() == ["000000.jpeg", "000001.jpeg", "000002.jpeg"]
    with Image.open(task.get_frame(1, quality="compressed")) as image:
        assert image.format == "JPEG" and image.size == (65, 49)
        assert psnr(image, source[1]) >= 30
    buf = io.BytesIO()
    task.download_chunk(0, buf, quality="original")
    assert len(decode(buf.getvalue())) == 3
    # video jobs overlap (CVAT's default of 5 frames, at most half a job)
    jobs = sorted(task.get_jobs(), key=lambda j: j.start_frame)
    assert [(j.start_frame, j.stop_frame) for j in jobs] == [(0, 3), (2, 5), (4, 7), (6, 8)]
    job = jobs[1]
    job_meta = job.get_meta()
    assert (job_meta.size, job_meta.start_frame, job_meta.stop_frame) == (4, 2, 5)
    with Image.open(job.get_frame(3, quality="original")) as image:
        assert psnr(image, source[3]) >= 40
    # job chunks start at the job's first frame: frames 2-4, then 5
    sizes = []
    for number in (0, 1):
        buf = io.BytesIO()
        job.download_chunk(number, buf, quality="original")
        sizes.append(len(decoded := decode(buf.getvalue())))
        assert psnr(decoded[0], source[2 + 3 * number]) >= 40
    assert sizes == [3, 1]
    with pytest.raises(ApiException, match="Incorrect requested frame number: 1") as raised:
        job.get_frame(1)  # outside the job, as CVAT answers it
    assert raised.value.status == 400
    with Image.open(io.BytesIO(task.get_preview().read())) as preview:
        # the preview comes from the compressed frame: here a JPEG of the source size
        assert preview.format == "JPEG" and preview.size == (65, 49)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (["clip.mp4", "copy.mp4"], "Only one video"),
        (["clip.mp4", "image.png"], r"but 1 image\(s\), 1 video\(s\), 0 audio\(s\)"),
        (["broken.mp4"], "InvalidDataError: .* Invalid data found when processing input"),
    ],
)
def test_refused_like_cvat(
    cvat_server: CvatTestServer,
    cvat_admin: tuple[str, str],
    videos: dict[str, Path],
    tmp_path: Path,
    files: list[str],
    message: str,
) -> None:
    (tmp_path / "clip.mp4").write_bytes(videos["h264"].read_bytes())
    (tmp_path / "copy.mp4").write_bytes(videos["h264"].read_bytes())
    Image.new("RGB", (8, 8)).save(tmp_path / "image.png")
    (tmp_path / "broken.mp4").write_bytes(b"not a video at all")
    # sent as is: the client would refuse the first two before sending anything
    _, request = submit_raw(cvat_server, cvat_admin, [tmp_path / f for f in files])
    assert request["status"] == "failed"
    assert re.search(message, request["message"]), request["message"]


def submit_raw(
    server: CvatTestServer, admin: tuple[str, str], files: list[Path]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A task created with ``files`` uploaded over plain HTTP, without the client's own checks
    of the media: the task and the finished request creating its data."""
    with server.sync_client(auth=admin) as http:
        task = http.post("/api/tasks", json={"name": "raw", "labels": [{"name": "car"}]}).json()
        parts = [
            (f"client_files[{i}]", (p.name, p.read_bytes(), "application/octet-stream"))
            for i, p in enumerate(files)
        ]
        answer = http.post(
            f"/api/tasks/{task['id']}/data/", files=parts, data={"image_quality": "70"}
        )
        assert answer.status_code == 202, answer.text
        assert server.wait_idle()
        request = http.get(f"/api/requests/{answer.json()['rq_id']}").json()
        return http.get(f"/api/tasks/{task['id']}").json(), request


def test_backup_round_trip(client: Any, videos: dict[str, Path], tmp_path: Path) -> None:
    task = create(
        client, videos["h264"], start_frame=1, stop_frame=12, frame_step=2, chunk_size=3,
        use_zip_chunks=True,
    )  # fmt: skip
    label = task.get_labels()[0].id
    shapes = [
        {"type": "rectangle", "frame": f, "points": [1.0, 2.0, 10.0 + f, 12.0], "occluded": False,
         "outside": False, "z_order": 0, "rotation": 0.0, "attributes": []}
        for f in (0, 4)
    ]  # fmt: skip
    track = {"frame": 0, "label_id": label, "group": 0, "source": "manual", "attributes": []}
    task.set_annotations({"tracks": [{**track, "shapes": shapes}]})
    task.download_backup(tmp_path / "backup.zip")
    with zipfile.ZipFile(tmp_path / "backup.zip") as archive:
        assert sorted(archive.namelist()) == ["annotations.json", "data/clip.mp4", "task.json"]
    restored = client.tasks.create_from_backup(tmp_path / "backup.zip")
    before, after = task.get_meta(), restored.get_meta()
    for field in ("size", "start_frame", "stop_frame", "frame_filter", "chunk_size"):
        assert getattr(after, field) == getattr(before, field)
    # as on CVAT 2.73, a restored video task has video chunks whatever the backup says
    assert (restored.mode, restored.data_compressed_chunk_type) == ("interpolation", "video")
    assert [(f.name, f.width, f.height) for f in after.frames] == [("clip.mp4", 64, 48)]
    tracks = restored.get_annotations().tracks
    assert [[s.frame for s in t.shapes] for t in tracks] == [[0, 4]]
    for index in range(task.size):
        a = Image.open(task.get_frame(index))
        b = Image.open(restored.get_frame(index))
        assert psnr(a, b) >= 40


def test_cvat_sdk_agrees(
    cvat_live_server: Any, cvat_admin: tuple[str, str], videos: dict[str, Path], tmp_path: Path
) -> None:
    cvat_sdk = pytest.importorskip("cvat_sdk")
    from cvat_sdk.datasets import MediaDownloadPolicy, TaskDataset

    from cvat_client import Config, make_client

    with make_client(
        cvat_live_server.url, credentials=cvat_admin, config=Config(status_check_period=FAST_POLL)
    ) as ours:
        task_id = create(ours, videos["h264"], start_frame=1, frame_step=2, chunk_size=3).id
        mine = ours.tasks.retrieve(task_id)
        own_frames = [Image.open(mine.get_frame(i)).convert("RGB") for i in range(mine.size)]
    source = decode(videos["h264"])
    with cvat_sdk.make_client(cvat_live_server.url, credentials=cvat_admin) as sdk:
        sdk.config.status_check_period = FAST_POLL
        task = sdk.tasks.retrieve(task_id)
        meta = task.get_meta()
        assert (meta.size, meta.start_frame, meta.stop_frame) == (7, 1, 13)
        assert [f.name for f in meta.frames] == ["clip.mp4"]
        outdir = tmp_path / "sdk"
        task.download_frames(range(task.size), outdir=str(outdir), quality="original")
        assert len(list(outdir.iterdir())) == 7
        dataset = TaskDataset(
            sdk,
            task_id,
            load_annotations=False,
            media_download_policy=MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND,
        )
        assert len(dataset.samples) == 7
        for index, sample in enumerate(dataset.samples):
            image = sample.media.load_image()
            assert image.size == own_frames[index].size
            assert psnr(image, own_frames[index]) >= 40
            assert psnr(image, source[1 + 2 * index]) >= 40
            via_get = Image.open(task.get_frame(index, quality="original"))
            assert psnr(via_get, own_frames[index]) >= 40


def test_importing_the_client_and_test_server_does_not_load_pyav() -> None:
    code = (
        "import sys, cvat_client, cvat_client.testing, cvat_client.datasets; "
        "print('av' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert out.stdout.strip() == "False"


def test_cvat_for_video_export_holds_tracks_and_imports_back(
    client: Any, videos: dict[str, Path], tmp_path: Path
) -> None:
    from xml.etree import ElementTree

    params = {"start_frame": 1, "stop_frame": 12, "frame_step": 2}
    task = create(client, videos["h264"], **params)
    label = task.get_labels()[0].id
    box = {"type": "rectangle", "occluded": False, "z_order": 0, "rotation": 0.0, "attributes": []}
    track = {"frame": 1, "label_id": label, "group": 0, "source": "manual", "attributes": []}
    keyframes = [
        {**box, "frame": 1, "points": [1.0, 2.0, 10.0, 12.0], "outside": False},
        {**box, "frame": 3, "points": [5.0, 6.0, 20.0, 22.0], "outside": False},
        {**box, "frame": 4, "points": [5.0, 6.0, 20.0, 22.0], "outside": True},
    ]
    shape = {**box, "frame": 2, "label_id": label, "points": [0.0, 0.0, 4.0, 4.0]}
    shape.update(outside=False, group=0, source="manual")
    task.set_annotations({"tracks": [{**track, "shapes": keyframes}], "shapes": [shape]})

    export = tmp_path / "video.zip"
    task.export_dataset("CVAT for video 1.1", export, include_images=True)
    with zipfile.ZipFile(export) as archive:
        names = sorted(archive.namelist())
        root = ElementTree.fromstring(archive.read("annotations.xml"))
    assert names == ["annotations.xml"] + [f"images/frame_{n:06d}.PNG" for n in (1, 3, 5, 7, 9, 11)]
    assert root.findtext("meta/task/source") == "clip.mp4"
    assert root.findtext("meta/task/original_size/width") == "64"
    boxes = [
        [(b.get("frame"), b.get("keyframe"), b.get("outside")) for b in t.iter("box")]
        for t in root.iter("track")
    ]
    # absolute frame numbers; interpolated frames are not keyframes; nothing after outside
    assert boxes == [
        [("3", "1", "0"), ("5", "0", "0"), ("7", "1", "0"), ("9", "1", "1")],
        [("5", "1", "0"), ("7", "1", "1")],
    ]
    middle = next(iter(root.iter("track"))).findall("box")[1]
    assert (middle.get("xtl"), middle.get("xbr")) == ("3.00", "15.00")

    fresh = create(client, videos["h264"], **params)
    fresh.import_annotations("CVAT 1.1", export)
    imported = fresh.get_annotations()
    got = sorted([(s.frame, s.outside) for s in t.shapes] for t in imported.tracks)
    assert got == [[(1, False), (2, False), (3, False), (4, True)], [(2, False), (3, True)]]


def test_frames_far_into_a_long_video(client: Any, tmp_path: Path) -> None:
    """Chunks deep into a video with several key frames are decoded from the right frames."""
    video = make_video(tmp_path / "long.mp4", "libx264", 48, 32, 260)
    source = decode(video)
    task = create(client, video, start_frame=3, frame_step=2)
    assert task.size == 129
    for index in (0, 60, 128):  # chunks 0, 1 and 3 of 36 frames
        with Image.open(task.get_frame(index)) as image:
            assert psnr(image, source[3 + 2 * index]) >= 40


def test_start_past_the_end_fails_and_unknown_files_are_skipped(
    client: Any,
    cvat_server: CvatTestServer,
    cvat_admin: tuple[str, str],
    videos: dict[str, Path],
    tmp_path: Path,
) -> None:
    with pytest.raises(BackgroundRequestException, match=r"range\(\) arg 3 must not be zero"):
        create(client, videos["h264"], start_frame=14)  # CVAT's own failure, as it says it
    notes = tmp_path / "notes.txt"
    notes.write_text("not media")
    # sent as is: the client refuses unknown files before sending anything
    task, request = submit_raw(cvat_server, cvat_admin, [videos["h264"], notes])
    assert request["status"] == "finished"
    assert (task["size"], task["mode"]) == (14, "interpolation")
