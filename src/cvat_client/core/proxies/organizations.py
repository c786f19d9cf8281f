"""Organizations: ``client.organizations`` and their memberships."""

from __future__ import annotations

from cvat_client.api_client import models
from cvat_client.api_client.apis.memberships_api import MembershipsApi
from cvat_client.api_client.apis.organizations_api import OrganizationsApi
from cvat_client.core.proxies.model_proxy import (
    ModelBatchDeleteMixin,
    ModelCreateMixin,
    ModelDeleteMixin,
    ModelListMixin,
    ModelRetrieveMixin,
    ModelUpdateMixin,
)

__all__ = ["Membership", "Organization", "OrganizationsRepo"]


class Membership(
    ModelUpdateMixin[models.MembershipRead, MembershipsApi],
    ModelDeleteMixin[models.MembershipRead, MembershipsApi],
):
    """A user's membership in an organization: ``user``, ``role``, ``is_active``.

    ``update({"role": "supervisor"})`` changes the role; ``remove()`` removes the user
    from the organization.
    """

    _api_member_name = "memberships_api"
    _model_partial_update_arg = "patched_membership_write_request"


class Organization(
    ModelUpdateMixin[models.OrganizationRead, OrganizationsApi],
    ModelDeleteMixin[models.OrganizationRead, OrganizationsApi],
):
    """An organization: ``slug``, ``name``, ``owner``..."""

    _api_member_name = "organizations_api"
    _model_partial_update_arg = "patched_organization_write_request"

    def get_memberships(self) -> list[Membership]:
        """The memberships of this organization (its members and their roles)."""
        return [
            Membership(self._client, model)
            for model in self._list_related("memberships_api", org_id=self.id)
        ]


class OrganizationsRepo(
    ModelCreateMixin[Organization, OrganizationsApi],
    ModelRetrieveMixin[Organization, OrganizationsApi],
    ModelListMixin[Organization, OrganizationsApi],
    ModelBatchDeleteMixin[Organization, OrganizationsApi],
):
    """All organizations visible to the user: ``client.organizations``.

    ``create({"slug": "acme", "name": "Acme"})`` makes one, owned by the user.
    """

    _api_member_name = "organizations_api"
    _entity_type = Organization
