"""Issues and comments of a job."""

import os
from pathlib import Path

from cvat_sdk import make_client, models

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    task = client.tasks.create_from_data({"name": "issues", "labels": [{"name": "c"}]}, images)
    job = task.get_jobs()[0]
    issue = client.issues.create(
        models.IssueWriteRequest(
            frame=0, position=[1.0, 2.0, 3.0, 4.0], job=job.id, message="first look"
        )
    )
    print("issue", issue.frame, issue.position, issue.resolved)
    client.comments.create(models.CommentWriteRequest(issue=issue.id, message="second"))
    comments = issue.get_comments()
    print("comments", sorted(c.message for c in comments))
    issue.update({"resolved": True})
    print("resolved", client.issues.retrieve(issue.id).resolved)
    print("job issues", len(job.get_issues()), len(client.issues.list()))
    assert len(client.comments.list()) == 2
    issue.remove()
    print("left", len(client.issues.list()), len(client.comments.list()))
