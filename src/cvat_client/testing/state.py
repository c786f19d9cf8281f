"""In-memory storage of the test server: plain records and the store that owns them.

Records are mutable dataclasses; secrets (passwords, token values) are excluded from their
reprs. Every access goes through :class:`Store`, whose lock makes the HTTP handlers and the
background worker safe to interleave.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cvat_client.testing._http import now

ROLES = ("worker", "supervisor", "maintainer", "owner")


@dataclass
class User:
    """A user account."""

    id: int
    username: str
    email: str
    password: str = field(repr=False)
    first_name: str = ""
    last_name: str = ""
    is_superuser: bool = False
    is_active: bool = True
    date_joined: datetime = field(default_factory=now)
    last_login: datetime | None = None
    legacy_key: str | None = field(default=None, repr=False)

    @property
    def groups(self) -> list[str]:
        """CVAT's group names for the user (``admin`` or ``user``)."""
        return ["admin"] if self.is_superuser else ["user"]


@dataclass
class AccessToken:
    """A personal access token (used with ``Authorization: Bearer``)."""

    id: int
    name: str
    value: str = field(repr=False)
    owner_id: int
    read_only: bool = True
    expiry_date: datetime | None = None
    created_date: datetime = field(default_factory=now)
    updated_date: datetime = field(default_factory=now)
    last_used_date: datetime | None = None

    def expired(self) -> bool:
        """Whether the expiry date has passed."""
        return self.expiry_date is not None and self.expiry_date <= now()


@dataclass
class Organization:
    """An organization (workspace shared by its members)."""

    id: int
    slug: str
    name: str
    owner_id: int
    description: str = ""
    contact: dict[str, Any] = field(default_factory=dict)
    created_date: datetime = field(default_factory=now)
    updated_date: datetime = field(default_factory=now)


@dataclass
class Membership:
    """A user's membership in an organization."""

    id: int
    user_id: int
    org_id: int
    role: str
    joined_date: datetime | None = field(default_factory=now)
    is_active: bool = True
    invitation: str | None = field(default=None, repr=False)


@dataclass
class Invitation:
    """An invitation to an organization (accepted at once for existing users)."""

    key: str = field(repr=False)
    org_id: int
    owner_id: int
    role: str
    email: str
    user_id: int | None = None
    accepted: bool = False
    created_date: datetime = field(default_factory=now)


@dataclass
class Label:
    """A label of a project or a task (skeleton sub-labels have ``parent_id``)."""

    id: int
    name: str
    color: str
    type: str = "any"
    attributes: list[dict[str, Any]] = field(default_factory=list)
    project_id: int | None = None
    task_id: int | None = None
    parent_id: int | None = None
    svg: str = ""


@dataclass
class Project:
    """A project: labels shared by its tasks."""

    id: int
    name: str
    owner_id: int
    org_id: int | None = None
    assignee_id: int | None = None
    bug_tracker: str = ""
    status: str = "annotation"
    created_date: datetime = field(default_factory=now)
    updated_date: datetime = field(default_factory=now)
    assignee_updated_date: datetime | None = None
    source_storage: dict[str, Any] | None = None
    target_storage: dict[str, Any] | None = None


@dataclass
class TaskData:
    """The media of a task once its creation request has finished."""

    id: int
    frames: list[Any]  # media.Frame
    image_quality: int = 70
    chunk_size: int = 72
    start_frame: int = 0
    stop_frame: int = 0
    frame_filter: str = ""
    sorting_method: str = "lexicographical"
    media_dir: Path | None = None
    updated_date: datetime = field(default_factory=now)
    deleted_frames: set[int] = field(default_factory=set)
    chunk_cache: dict[tuple[str, int, int], bytes] = field(default_factory=dict, repr=False)
    preview: bytes | None = field(default=None, repr=False)
    #: The video of a video task (a ``video.VideoSource``); ``None`` for image tasks.
    video: Any = None
    original_chunk_type: str = "imageset"
    compressed_chunk_type: str = "imageset"

    @property
    def mode(self) -> str:
        """The task mode: ``interpolation`` for video tasks, ``annotation`` otherwise."""
        return "annotation" if self.video is None else "interpolation"

    @property
    def size(self) -> int:
        """The number of frames."""
        return len(self.frames)


@dataclass
class Annotations:
    """A task's annotations: the task is the unit of storage, jobs see frame ranges of it."""

    tags: list[dict[str, Any]] = field(default_factory=list)
    shapes: list[dict[str, Any]] = field(default_factory=list)
    tracks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Task:
    """A task: media, labels (its own or its project's), jobs and annotations."""

    id: int
    name: str
    owner_id: int
    project_id: int | None = None
    org_id: int | None = None
    assignee_id: int | None = None
    bug_tracker: str = ""
    overlap: int | None = None
    segment_size: int = 0
    status: str = "annotation"
    subset: str = ""
    created_date: datetime = field(default_factory=now)
    updated_date: datetime = field(default_factory=now)
    assignee_updated_date: datetime | None = None
    data: TaskData | None = None
    annotations: Annotations = field(default_factory=Annotations)
    source_storage: dict[str, Any] | None = None
    target_storage: dict[str, Any] | None = None
    creating: bool = False


@dataclass
class Job:
    """An annotation job over a segment of a task."""

    id: int
    task_id: int
    start_frame: int
    stop_frame: int
    assignee_id: int | None = None
    stage: str = "annotation"
    state: str = "new"
    type: str = "annotation"
    created_date: datetime = field(default_factory=now)
    updated_date: datetime = field(default_factory=now)
    assignee_updated_date: datetime | None = None


@dataclass
class Issue:
    """An issue raised on a job frame."""

    id: int
    job_id: int
    frame: int
    position: list[float]
    owner_id: int
    assignee_id: int | None = None
    resolved: bool = False
    created_date: datetime = field(default_factory=now)
    updated_date: datetime = field(default_factory=now)


@dataclass
class Comment:
    """A comment on an issue."""

    id: int
    issue_id: int
    message: str
    owner_id: int
    created_date: datetime = field(default_factory=now)
    updated_date: datetime = field(default_factory=now)


@dataclass
class CloudStorage:
    """A cloud storage record (the test server never reaches the cloud)."""

    id: int
    provider_type: str
    resource: str
    display_name: str
    owner_id: int
    credentials_type: str
    org_id: int | None = None
    description: str = ""
    specific_attributes: str = ""
    manifests: list[str] = field(default_factory=list)
    created_date: datetime = field(default_factory=now)
    updated_date: datetime = field(default_factory=now)


@dataclass
class Store:
    """All objects of one test server, with id counters and a re-entrant lock."""

    users: dict[int, User] = field(default_factory=dict)
    tokens: dict[int, AccessToken] = field(default_factory=dict)
    sessions: dict[str, int] = field(default_factory=dict, repr=False)
    organizations: dict[int, Organization] = field(default_factory=dict)
    memberships: dict[int, Membership] = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict, repr=False)
    projects: dict[int, Project] = field(default_factory=dict)
    tasks: dict[int, Task] = field(default_factory=dict)
    labels: dict[int, Label] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    cloud_storages: dict[int, CloudStorage] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _counters: dict[str, Iterator[int]] = field(default_factory=dict, repr=False)

    def next_id(self, kind: str) -> int:
        """The next id of a kind of object (ids start at 1, never reused)."""
        with self.lock:
            counter = self._counters.get(kind)
            if counter is None:
                counter = itertools.count(1)
                self._counters[kind] = counter
            return next(counter)

    # -- users ---------------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        password: str,
        *,
        email: str | None = None,
        superuser: bool = False,
        first_name: str = "",
        last_name: str = "",
    ) -> User:
        """Create a user account."""
        with self.lock:
            user = User(
                id=self.next_id("user"),
                username=username,
                email=email if email is not None else f"{username}@localhost.localdomain",
                password=password,
                is_superuser=superuser,
                first_name=first_name,
                last_name=last_name,
            )
            self.users[user.id] = user
            return user

    def find_user(self, name: str) -> User | None:
        """A user by username or e-mail address (case-insensitive for e-mail)."""
        with self.lock:
            for user in self.users.values():
                if user.username == name:
                    return user
            for user in self.users.values():
                if name and user.email.lower() == name.lower():
                    return user
            return None

    def legacy_key(self, user: User) -> str:
        """The user's legacy token key, created on first use (as at login)."""
        with self.lock:
            if user.legacy_key is None:
                user.legacy_key = secrets.token_hex(20)
            return user.legacy_key

    # -- organizations ---------------------------------------------------------------------------

    def org_by_slug(self, slug: str) -> Organization | None:
        """An organization by its slug."""
        with self.lock:
            return next((o for o in self.organizations.values() if o.slug == slug), None)

    def membership(self, user_id: int, org_id: int) -> Membership | None:
        """The active membership of a user in an organization."""
        with self.lock:
            return next(
                (
                    m
                    for m in self.memberships.values()
                    if m.user_id == user_id and m.org_id == org_id and m.is_active
                ),
                None,
            )

    # -- labels ----------------------------------------------------------------------------------

    def labels_of(self, *, task: Task | None = None, project_id: int | None = None) -> list[Label]:
        """Top-level and child labels of a project, or of a task (its project's if it has one)."""
        with self.lock:
            if task is not None and task.project_id is not None:
                project_id = task.project_id
            if project_id is not None:
                found = [lb for lb in self.labels.values() if lb.project_id == project_id]
            elif task is not None:
                found = [lb for lb in self.labels.values() if lb.task_id == task.id]
            else:
                found = []
            return sorted(found, key=lambda lb: lb.id)

    def jobs_of(self, task_id: int) -> list[Job]:
        """The jobs of a task, by id."""
        with self.lock:
            return sorted(
                (j for j in self.jobs.values() if j.task_id == task_id), key=lambda j: j.id
            )

    def delete_task(self, task_id: int) -> None:
        """Delete a task with its labels, jobs, issues and comments."""
        with self.lock:
            self.tasks.pop(task_id, None)
            for label in [lb for lb in self.labels.values() if lb.task_id == task_id]:
                del self.labels[label.id]
            for job in self.jobs_of(task_id):
                for issue in [i for i in self.issues.values() if i.job_id == job.id]:
                    self.delete_issue(issue.id)
                del self.jobs[job.id]

    def delete_issue(self, issue_id: int) -> None:
        """Delete an issue with its comments."""
        with self.lock:
            for comment in [c for c in self.comments.values() if c.issue_id == issue_id]:
                del self.comments[comment.id]
            self.issues.pop(issue_id, None)

    def delete_project(self, project_id: int) -> None:
        """Delete a project with its tasks and labels."""
        with self.lock:
            self.projects.pop(project_id, None)
            for task in [t for t in self.tasks.values() if t.project_id == project_id]:
                self.delete_task(task.id)
            for label in [lb for lb in self.labels.values() if lb.project_id == project_id]:
                del self.labels[label.id]
