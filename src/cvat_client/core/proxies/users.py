"""Users: ``client.users`` (:class:`UsersRepo`) and :class:`User`."""

from __future__ import annotations

from typing import cast

from cvat_client.api_client import models
from cvat_client.api_client.apis.users_api import UsersApi
from cvat_client.core.proxies.model_proxy import (
    ModelDeleteMixin,
    ModelListMixin,
    ModelRetrieveMixin,
    ModelUpdateMixin,
)

__all__ = ["User", "UsersRepo"]


class User(
    ModelUpdateMixin[models.User, UsersApi],
    ModelDeleteMixin[models.User, UsersApi],
):
    """A user account."""

    _api_member_name = "users_api"
    _model_partial_update_arg = "patched_user_request"


class UsersRepo(
    ModelRetrieveMixin[User, UsersApi],
    ModelListMixin[User, UsersApi],
):
    """All users: ``client.users``."""

    _api_member_name = "users_api"
    _entity_type = User

    def retrieve_current_user(self) -> User:
        """The user the client is logged in as."""
        model, _ = self.api.retrieve_self()
        return User(self._client, cast("models.User", model))
