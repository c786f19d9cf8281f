"""The entity objects of the high-level client: repositories and entities by kind.

Each module holds one kind: :mod:`.tasks`, :mod:`.projects`, :mod:`.jobs`,
:mod:`.users`, :mod:`.organizations`, :mod:`.issues`, :mod:`.comments`,
:mod:`.labels`, :mod:`.cloudstorages` and :mod:`.requests`; :mod:`.model_proxy` holds
the bases, :mod:`.annotations` the annotation operations of tasks and jobs.
"""

from cvat_client.core.proxies.annotations import AnnotationUpdateAction
from cvat_client.core.proxies.cloudstorages import CloudStorage, CloudStoragesRepo
from cvat_client.core.proxies.comments import Comment, CommentsRepo
from cvat_client.core.proxies.issues import Issue, IssuesRepo
from cvat_client.core.proxies.jobs import Job, JobsRepo
from cvat_client.core.proxies.labels import Label, LabelsRepo
from cvat_client.core.proxies.organizations import Membership, Organization, OrganizationsRepo
from cvat_client.core.proxies.projects import Project, ProjectsRepo
from cvat_client.core.proxies.requests import Request, RequestsRepo
from cvat_client.core.proxies.tasks import ResourceType, Task, TasksRepo
from cvat_client.core.proxies.types import Location
from cvat_client.core.proxies.users import User, UsersRepo

__all__ = [
    "AnnotationUpdateAction",
    "CloudStorage",
    "CloudStoragesRepo",
    "Comment",
    "CommentsRepo",
    "Issue",
    "IssuesRepo",
    "Job",
    "JobsRepo",
    "Label",
    "LabelsRepo",
    "Location",
    "Membership",
    "Organization",
    "OrganizationsRepo",
    "Project",
    "ProjectsRepo",
    "Request",
    "RequestsRepo",
    "ResourceType",
    "Task",
    "TasksRepo",
    "User",
    "UsersRepo",
]
