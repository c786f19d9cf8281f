"""Chunk archives kept open between frames (``datasets._archives``): the right bytes whatever
the order of reads, a bounded number of open files, a chunk replaced on disk read anew, a
damaged one never kept, threads and forked workers reading side by side."""

from __future__ import annotations

import os
import random
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cvat_client.datasets import _archives

MEMBERS = 5


def member_bytes(chunk: int, member: int, version: int = 0) -> bytes:
    return f"chunk {chunk} member {member} version {version} ".encode() * (50 + member)


def write_chunk(directory: Path, chunk: int, version: int = 0) -> Path:
    """A chunk archive written as the cache writes it: to a new file renamed into place."""
    path = directory / f"{chunk}.zip"
    temp = directory / f".{chunk}.zip.tmp"
    with zipfile.ZipFile(temp, "w") as archive:
        for member in range(MEMBERS):
            archive.writestr(f"{member:06d}.jpeg", member_bytes(chunk, member, version))
    os.replace(temp, path)
    return path


class Ensure:
    """The ``ensure`` callback: counts the calls per chunk, can write the chunk first."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.calls: list[int] = []
        self.writes: dict[int, int] = {}  # chunk -> version written when ensured

    def __call__(self, chunk: int) -> None:
        self.calls.append(chunk)
        if chunk in self.writes:
            write_chunk(self.directory, chunk, self.writes.pop(chunk))


@pytest.fixture(autouse=True)
def closed_archives() -> Iterator[None]:
    _archives._after_fork_in_child()  # nothing kept from another test
    yield
    _archives._after_fork_in_child()


@pytest.fixture
def chunks(tmp_path: Path) -> Path:
    for chunk in range(6):
        write_chunk(tmp_path, chunk)
    return tmp_path


def read(directory: Path, chunk: int, member: int, ensure: Ensure) -> bytes:
    """A frame as ``ChunkSource.read`` reads it: from the archive kept open, else from the
    archive opened once the chunk is ensured."""
    path = directory / f"{chunk}.zip"
    data = _archives.read_kept(path, member)
    if data is None:
        ensure(chunk)
        data = _archives.read_opened(path, member)
    return data


def open_archive_files(directory: Path) -> list[str]:
    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            names.append(Path(target).name)
    return sorted(names)


def test_frames_of_one_chunk_open_it_once(chunks: Path) -> None:
    ensure = Ensure(chunks)
    for member in [0, 1, 2, 4, 3, 0]:
        assert read(chunks, 2, member, ensure) == member_bytes(2, member)
    assert ensure.calls == [2]  # checked (and opened) once, then read from the open archive


def test_at_most_capacity_archives_stay_open(chunks: Path) -> None:
    ensure = Ensure(chunks)
    for chunk in range(6):
        assert read(chunks, chunk, 1, ensure) == member_bytes(chunk, 1)
    assert list(_archives._open) == [chunks / f"{c}.zip" for c in range(2, 6)]
    if Path("/proc/self/fd").is_dir():
        assert open_archive_files(chunks) == [f"{c}.zip" for c in range(2, 6)]
    # the least recently used went first: chunk 2 is read again, so 3 goes next
    assert read(chunks, 2, 0, ensure) == member_bytes(2, 0)
    assert read(chunks, 0, 0, ensure) == member_bytes(0, 0)
    assert list(_archives._open) == [chunks / f"{c}.zip" for c in (4, 5, 2, 0)]
    assert ensure.calls == [0, 1, 2, 3, 4, 5, 0]


def test_a_chunk_replaced_on_disk_is_opened_anew(chunks: Path) -> None:
    # a new dataset of changed data stores new chunks under the same names
    ensure = Ensure(chunks)
    assert read(chunks, 1, 3, ensure) == member_bytes(1, 3, 0)
    write_chunk(chunks, 1, version=1)
    assert read(chunks, 1, 3, ensure) == member_bytes(1, 3, 1)
    assert ensure.calls == [1, 1]


def test_a_chunk_removed_on_disk_is_ensured_again(chunks: Path) -> None:
    ensure = Ensure(chunks)
    assert read(chunks, 1, 0, ensure) == member_bytes(1, 0)
    (chunks / "1.zip").unlink()  # invalidated (damaged elsewhere) or cleaned up
    ensure.writes[1] = 2
    assert read(chunks, 1, 0, ensure) == member_bytes(1, 0, 2)
    assert ensure.calls == [1, 1]


def test_a_damaged_member_raises_and_the_archive_is_not_kept(chunks: Path) -> None:
    path = chunks / "3.zip"
    data = bytearray(path.read_bytes())
    offset = data.index(member_bytes(3, 0)[:20])
    data[offset] ^= 0xFF  # the member's CRC no longer matches
    path.write_bytes(bytes(data))
    ensure = Ensure(chunks)
    with pytest.raises(zipfile.BadZipFile):
        read(chunks, 3, 0, ensure)
    assert _archives._open == {}
    if Path("/proc/self/fd").is_dir():
        assert open_archive_files(chunks) == []


def test_a_member_past_the_end_raises_index_error(chunks: Path) -> None:
    ensure = Ensure(chunks)
    with pytest.raises(IndexError):
        read(chunks, 0, MEMBERS, ensure)
    assert _archives._open == {}  # not kept: it was opened for a read that failed
    assert read(chunks, 0, 1, ensure) == member_bytes(0, 1)
    with pytest.raises(IndexError):
        read(chunks, 0, MEMBERS, ensure)  # from the open archive
    assert list(_archives._open) == [chunks / "0.zip"]


def test_forget_closes_a_chunk_or_a_whole_directory(chunks: Path, tmp_path: Path) -> None:
    ensure = Ensure(chunks)
    for chunk in (0, 1, 2):
        read(chunks, chunk, 0, ensure)
    other = tmp_path / "other"
    other.mkdir()
    write_chunk(other, 0)
    read(other, 0, 0, Ensure(other))
    _archives.forget(chunks, 1)
    assert list(_archives._open) == [chunks / "0.zip", chunks / "2.zip", other / "0.zip"]
    _archives.forget(chunks)
    assert list(_archives._open) == [other / "0.zip"]
    read(chunks, 1, 0, ensure)
    assert ensure.calls == [0, 1, 2, 1]


def test_threads_reading_at_random_get_the_right_bytes(chunks: Path) -> None:
    ensure = Ensure(chunks)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(300):
                chunk, member = rng.randrange(6), rng.randrange(MEMBERS)
                assert read(chunks, chunk, member, ensure) == member_bytes(chunk, member)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(_archives._open) <= _archives.CAPACITY


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_opens_its_own_archives(chunks: Path) -> None:
    # a data loader worker forked while the parent has an archive open: the two must not
    # share a file offset, so the child reads through archives of its own
    ensure = Ensure(chunks)
    assert read(chunks, 0, 0, ensure) == member_bytes(0, 0)
    kept = _archives._open[chunks / "0.zip"]
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        status = 1
        try:
            child = Ensure(chunks)
            ok = _archives._open == {} and all(
                read(chunks, 0, member, child) == member_bytes(0, member) for member in (4, 3, 2, 1)
            )
            os.write(writer, b"ok" if ok and child.calls == [0] else b"bad")
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    try:
        for member in (1, 2, 3, 4):  # while the child reads the same chunk
            assert read(chunks, 0, member, ensure) == member_bytes(0, member)
        assert os.read(reader, 16) == b"ok"
    finally:
        os.close(reader)
        os.waitpid(pid, 0)
    assert _archives._open[chunks / "0.zip"] is kept  # the parent's is still open, and used
    assert ensure.calls == [0]
