"""Background requests (imports, exports, task creation): ``client.requests``."""

from __future__ import annotations

from typing import Any, Self, cast

from cvat_client.api_client import models
from cvat_client.api_client.apis.requests_api import RequestsApi
from cvat_client.core.proxies.model_proxy import Entity, ModelListMixin

__all__ = ["Request", "RequestsRepo"]

_FINISHED = frozenset({"finished", "failed"})


class Request(Entity[models.Request, RequestsApi]):
    """A background request of the server: ``id`` (a string), ``status``, ``message``,
    ``progress``, ``result_url``, ``result_id``, ``operation``...
    """

    _api_member_name = "requests_api"

    @property
    def status_value(self) -> str:
        """The status as a plain string: ``queued``, ``started``, ``finished``, ``failed``."""
        status = self._model.status
        return str(getattr(status, "value", status))

    @property
    def is_done(self) -> bool:
        """Whether the request has ended (finished or failed)."""
        return self.status_value in _FINISHED

    def wait(
        self, *, status_check_period: float | None = None, timeout: float | None = None
    ) -> Self:
        """Wait until the request has finished; returns ``self``, refreshed.

        Raises:
            BackgroundRequestException: the request failed (with the server's message).
        """
        model = self._client.wait_for_request(
            self.id, status_check_period=status_check_period, timeout=timeout
        )
        self.__dict__["_model"] = model
        return self

    def cancel(self) -> None:
        """Cancel the request if it has not started yet (or stop it)."""
        self.api.create_cancel(self.id)


class RequestsRepo(ModelListMixin[Request, RequestsApi]):
    """The background requests of the user: ``client.requests``.

    ``list(status="failed")``, ``list(task_id=...)``, ``list(action="export")``...
    """

    _api_member_name = "requests_api"
    _entity_type = Request

    def retrieve(self, rq_id: str) -> Request:
        """The request with this id.

        Raises:
            NotFoundException: there is no such request (or it has expired).
        """
        model, _ = self.api.retrieve(rq_id)
        return Request(self._client, cast("models.Request", model))

    def cancel(self, rq_id: str) -> None:
        """Cancel the request with this id."""
        self.api.create_cancel(rq_id)

    def wait(self, rq_id: str, **kwargs: Any) -> Request:
        """Wait for the request with this id (see :meth:`Request.wait`)."""
        model = self._client.wait_for_request(rq_id, **kwargs)
        return Request(self._client, model)
