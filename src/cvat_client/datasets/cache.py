"""Seeing and bounding the datasets cache: what is cached, how big, when last used; and
removing tasks and projects by age or to fit a size, never one that a process is using.

Every :class:`~cvat_client.datasets.TaskDataset` and
:class:`~cvat_client.datasets.ProjectDataset` marks its entry *in use* (a shared lock between
processes, held as long as the dataset object lives, and taken again by copies of it in
data loader workers; a project dataset keeps its tasks in use through the project's lock,
so the tasks listed in an in-use project's metadata count as in use) and records the time
of use. The clean-up takes an entry's lock exclusively *without waiting*: an entry in use
anywhere (in this process too) is skipped.
A dataset being opened waits for a clean-up that is removing its entry at that moment, then
downloads it again. An entry is first renamed away, in one step, then deleted, so no reader
ever sees half of one.

```python
from datetime import timedelta
from cvat_client.datasets.cache import cache_entries, clean_cache

for entry in cache_entries(client.config.cache_dir):
    print(entry.server, entry.kind, entry.id, entry.size, entry.last_used, entry.in_use)

clean_cache(client.config.cache_dir, older_than=timedelta(days=30))
clean_cache(client.config.cache_dir, max_size=50 * 2**30)  # least recently used go first
```

``Config.max_cache_size`` applies the size bound after every dataset is opened.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import attrs

from cvat_client.datasets._cache import CACHE_ROOT, DatasetCache, in_use
from cvat_client.datasets._locking import InterProcessLock

__all__ = ["CacheEntry", "cache_entries", "clean_cache"]

_logger = logging.getLogger("cvat_client.datasets")

_KINDS: dict[str, Literal["task", "project"]] = {"tasks": "task", "projects": "project"}
_REMOVING = ".removing-"


@attrs.frozen
class CacheEntry:
    """A cached task or project."""

    server: str
    """The URL of the server it comes from, as the client was given it."""
    kind: Literal["task", "project"]
    """``"task"`` (metadata, annotations and chunks) or ``"project"`` (its task list and
    labels; its tasks are entries of their own)."""
    id: int
    """The id of the task or project on the server."""
    path: Path
    """Its directory."""
    size: int
    """Bytes on disk (the sum of its files' sizes)."""
    last_used: datetime
    """When a dataset of it was last opened (UTC)."""
    in_use: bool
    """Whether a dataset object of it was alive in some process when the cache was read
    (the clean-up never removes such an entry)."""


def _root(cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is None:
        from cvat_client.core.config import default_cache_dir

        cache_dir = default_cache_dir()
    return Path(cache_dir) / CACHE_ROOT


def _server_url(key: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _tree_size(path: Path) -> int:
    total = 0
    try:
        with os.scandir(path) as items:
            for item in items:
                try:
                    if item.is_dir(follow_symlinks=False):
                        total += _tree_size(Path(item.path))
                    else:
                        total += item.stat(follow_symlinks=False).st_size
                except FileNotFoundError:  # removed meanwhile by its writer
                    continue
    except (FileNotFoundError, NotADirectoryError):
        pass
    return total


def _tasks_of_projects_in_use(server_dir: Path) -> set[int]:
    """The ids of the tasks listed in the metadata of the projects (of one server's cache)
    in use: a project dataset keeps its tasks in use through its own lock."""
    ids: set[int] = set()
    try:
        items = list(os.scandir(server_dir / "projects"))
    except (FileNotFoundError, NotADirectoryError):
        return ids
    for item in items:
        if not (item.name.isdigit() and item.is_dir(follow_symlinks=False)):
            continue
        directory = Path(item.path)
        if not in_use(DatasetCache.usage_lock_path(directory)):
            continue
        data = DatasetCache.read(directory / "project.json")
        tasks = data.get("tasks") if isinstance(data, dict) else None
        for task in tasks if isinstance(tasks, list) else ():
            task_id = task.get("id") if isinstance(task, dict) else None
            if isinstance(task_id, int):
                ids.add(task_id)
        kept = data.get("kept") if isinstance(data, dict) else None  # left the project
        ids.update(i for i in (kept if isinstance(kept, list) else ()) if isinstance(i, int))
    return ids


def _last_used(directory: Path, lock_path: Path) -> datetime:
    for path in (lock_path, directory):
        try:
            return datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:
            continue
    return datetime.fromtimestamp(0, UTC)


def _scan(
    root: Path, server: str | None
) -> Iterator[tuple[Path, str, Literal["task", "project"], int]]:
    """``(directory, server, kind, id)`` of every entry; leftovers of removals are deleted."""
    try:
        servers = sorted(os.scandir(root), key=lambda item: item.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for server_dir in servers:
        url = _server_url(server_dir.name)
        if url is None or not server_dir.is_dir() or (server is not None and url != server):
            continue
        for folder, kind in _KINDS.items():
            try:
                items = sorted(os.scandir(Path(server_dir.path) / folder), key=lambda i: i.name)
            except (FileNotFoundError, NotADirectoryError):
                continue
            for item in items:
                if item.name.startswith(_REMOVING):  # an interrupted removal
                    shutil.rmtree(item.path, ignore_errors=True)
                elif item.name.isdigit() and item.is_dir(follow_symlinks=False):
                    yield Path(item.path), url, kind, int(item.name)


def cache_entries(
    cache_dir: str | os.PathLike[str] | None = None, *, server: str | None = None
) -> list[CacheEntry]:
    """Every task and project in the datasets cache under ``cache_dir`` (by default
    ``Config().cache_dir``), least recently used first.

    Args:
        cache_dir: the cache directory (``client.config.cache_dir``).
        server: only the entries of this server (its URL as the client was given it,
            ``client.host``).
    """
    entries = []
    used_by_projects: dict[Path, set[int]] = {}  # per server directory
    for directory, url, kind, entry_id in _scan(_root(cache_dir), server):
        lock_path = DatasetCache.usage_lock_path(directory)
        used = False
        if kind == "task":
            server_dir = directory.parent.parent
            if server_dir not in used_by_projects:
                used_by_projects[server_dir] = _tasks_of_projects_in_use(server_dir)
            used = entry_id in used_by_projects[server_dir]
        entries.append(
            CacheEntry(
                server=url,
                kind=kind,
                id=entry_id,
                path=directory,
                size=_tree_size(directory),
                last_used=_last_used(directory, lock_path),
                in_use=used or in_use(lock_path),
            )
        )
    entries.sort(key=lambda entry: (entry.last_used, str(entry.path)))
    return entries


def _remove(entry: CacheEntry) -> bool:
    """Remove ``entry`` unless some process uses it; whether it was removed."""
    lock = InterProcessLock(DatasetCache.usage_lock_path(entry.path))
    try:
        if not lock.acquire(blocking=False):
            return False
    except OSError as exc:
        _logger.warning("Cannot lock %s to remove it: %s", entry.path, exc)
        return False
    try:
        # checked again under the lock: a project being opened lists its tasks before it
        # lets go of their own locks, so a task it keeps is seen here
        if entry.kind == "task" and entry.id in _tasks_of_projects_in_use(entry.path.parent.parent):
            return False
        trash = entry.path.with_name(f"{_REMOVING}{entry.path.name}-{uuid.uuid4().hex}")
        try:
            entry.path.rename(trash)  # one step: a reader sees all of it, or nothing
        except FileNotFoundError:
            return False  # removed meanwhile
        except OSError as exc:  # e.g. Windows: a file of it is open in another program
            _logger.warning("Cannot remove %s: %s", entry.path, exc)
            return False
    finally:
        lock.release()
    shutil.rmtree(trash, ignore_errors=True)
    return True


def clean_cache(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    server: str | None = None,
    older_than: timedelta | None = None,
    max_size: int | None = None,
    dry_run: bool = False,
) -> list[CacheEntry]:
    """Remove cached tasks and projects that no process is using.

    First those last used more than ``older_than`` ago; then, least recently used first,
    as many as it takes for the entries (of ``server``, if given) to take at most
    ``max_size`` bytes. With neither, every entry not in use is removed. Entries in use are
    kept whatever their age and size (a bound may then stay exceeded). Safe to run while
    other processes open, download or read datasets in the same cache.

    Args:
        cache_dir: the cache directory (``client.config.cache_dir``; by default
            ``Config().cache_dir``).
        server: only entries of this server (``client.host``).
        older_than: remove entries not used for this long.
        max_size: the most bytes the entries may take afterwards.
        dry_run: remove nothing; return what would be removed now.

    Returns:
        The removed entries (with ``dry_run``, those that would be), least recently used
        first.
    """
    if max_size is not None and max_size < 0:
        raise ValueError(f"max_size must not be negative, got {max_size!r}")
    entries = cache_entries(cache_dir, server=server)
    everything = older_than is None and max_size is None
    cutoff = datetime.now(UTC) - older_than if older_than is not None else None
    total = sum(entry.size for entry in entries)
    removed = []
    for entry in entries:
        wanted = (
            everything
            or (cutoff is not None and entry.last_used < cutoff)
            or (max_size is not None and total > max_size)
        )
        if not wanted or entry.in_use:
            continue
        if dry_run or _remove(entry):
            removed.append(entry)
            total -= entry.size
    if max_size is not None and total > max_size:
        _logger.warning(
            "The datasets cache takes %d bytes, more than the %d allowed: what is left is in use",
            total,
            max_size,
        )
    return removed
