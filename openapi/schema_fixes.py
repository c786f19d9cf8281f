"""Documented fixes applied to a CVAT schema before generation.

The schema CVAT publishes is right about almost everything, but a few binary
operations are declared wrongly; generating from the wrong declaration would make the
client try to parse images and zip files as JSON. Each fix below names what it
corrects and applies only where the schema still has the problem, so the same step
works for every server version (and becomes a no-op once CVAT fixes its schema).

Nothing here edits the generated code: the output always follows from
``schema + these fixes + generator-templates``.
"""

from __future__ import annotations

import copy
from typing import Any

BINARY = {"type": "string", "format": "binary"}

#: Operations whose successful responses are files, with the media types the server
#: really sends. CVAT declares them with no content at all, or as JSON
#: (``application/vnd.cvat+json``), which they are not.
BINARY_RESPONSES: dict[str, tuple[str, ...]] = {
    "tasks_retrieve_data": ("image/jpeg", "application/zip", "application/octet-stream"),
    "jobs_retrieve_data": ("image/jpeg", "application/zip", "application/octet-stream"),
    "tasks_retrieve_preview": ("image/jpeg",),
    "jobs_retrieve_preview": ("image/jpeg",),
    "projects_retrieve_preview": ("image/jpeg",),
    "cloudstorages_retrieve_preview": ("image/jpeg",),
    "assets_retrieve": ("application/octet-stream",),
    "auth_retrieve_rules": ("application/x-tar",),
    "quality_retrieve_report_data": ("application/json",),
}


#: Operations whose JSON answer is declared as "a request id or a binary string"
#: (``DataResponse``). The binary alternative stands for the empty answers to
#: ``Upload-Start`` and ``Upload-Multiple``, which carry no body at all (parsed as
#: ``None``); the only body the server sends is ``{"rq_id": ...}``.
RQ_ID_RESPONSES = ("tasks_create_data",)


def _fix_rq_id_responses(op: dict[str, Any], applied: list[str]) -> None:
    for status, response in op.get("responses", {}).items():
        for media_type, content in (response.get("content") or {}).items():
            schema = content.get("schema") or {}
            if schema.get("$ref", "").endswith("/DataResponse"):
                content["schema"] = {"$ref": "#/components/schemas/RqId"}
                applied.append(
                    f"{op['operationId']} {status} ({media_type}): RqId, not RqId-or-binary"
                )


def apply(schema: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return a fixed copy of ``schema`` and a description of each fix applied."""
    fixed = copy.deepcopy(schema)
    applied: list[str] = []
    for item in fixed.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") in RQ_ID_RESPONSES:
                _fix_rq_id_responses(op, applied)
    for path, item in fixed.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            op_id = op["operationId"]
            types = BINARY_RESPONSES.get(op_id)
            if not types:
                continue
            for status, response in op.get("responses", {}).items():
                if not str(status).startswith("2") or str(status) == "204":
                    continue
                if op_id == "quality_retrieve_report_data":
                    # Declared as a binary string under a JSON media type; it is a JSON file.
                    content = response.get("content") or {}
                    if any(
                        (c.get("schema") or {}).get("format") == "binary" for c in content.values()
                    ):
                        response["content"] = {t: {"schema": BINARY} for t in types}
                        applied.append(f"{op_id} {status}: a file download ({', '.join(types)})")
                    continue
                content = response.get("content") or {}
                already = content and all(
                    (c.get("schema") or {}).get("format") == "binary" and "json" not in t
                    for t, c in content.items()
                )
                if already:
                    continue
                response["content"] = {t: {"schema": BINARY} for t in types}
                applied.append(
                    f"{op_id} {status} ({method.upper()} {path}): binary {', '.join(types)}"
                )
    return fixed, applied
