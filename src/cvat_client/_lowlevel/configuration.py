"""Connection settings of the low-level client."""

from __future__ import annotations

import base64
import functools
import logging
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvat_client._lowlevel.exceptions import ApiTypeError, ApiValueError

if TYPE_CHECKING:
    import ssl

    import httpx

__all__ = ["Configuration", "DEFAULT_TIMEOUT", "SECURITY_SCHEMES", "to_httpx_timeout"]

#: The default timeout, ``(connect, read)`` seconds: 10 s to connect, 60 s for every read,
#: write or pool wait. No request can hang forever; pass ``timeout=`` (or a call's
#: ``_request_timeout=``) to change it.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 60.0)

#: Security scheme names of CVAT schemas that can carry a key in ``api_key``.
SECURITY_SCHEMES = (
    "sessionAuth",
    "csrfAuth",
    "csrfHeaderAuth",
    "tokenAuth",
    "signatureAuth",
    "basicAuth",
    "accessTokenAuth",
)

if TYPE_CHECKING:
    from typing import TypeAlias

    #: What ``timeout=`` / ``_request_timeout=`` accept.
    TimeoutTypes: TypeAlias = float | int | tuple[float | int, float | int] | httpx.Timeout | None


class Configuration:
    """Where the server is and how to authenticate to it.

    Args:
        host: server URL, e.g. ``"https://app.cvat.ai"`` (no trailing ``/api``);
            ``None``: ``http://localhost``.
        username: user name for Basic authentication.
        password: password for Basic authentication.
        access_token: a personal access token, sent as ``Authorization: Bearer <token>``.
        api_key: keys by security scheme name: ``sessionAuth`` (``sessionid`` cookie),
            ``csrfAuth`` (``csrftoken`` cookie), ``csrfHeaderAuth`` (``X-CSRFToken``),
            ``tokenAuth`` (legacy ``Authorization: Token <key>``; the ``Token`` prefix is
            added when missing), ``accessTokenAuth`` (like ``access_token``),
            ``signatureAuth`` (a ``sign`` query parameter), ``basicAuth``
            (a ready ``Basic ...`` value).
        api_key_prefix: prefixes per scheme, for cvat-sdk compatibility.
        verify_ssl: verify the server's TLS certificate (``None``: yes).
        ssl_ca_cert: a CA bundle file to verify against.
        cert: a client certificate: a path, or ``(cert_file, key_file)``.
        proxy: a proxy URL.
        timeout: seconds (one number for all phases), ``(connect, read)``, an
            :class:`httpx.Timeout`, or ``None`` for the finite default.
        headers: extra headers sent with every request.
        discard_unknown_keys: accepted for cvat-sdk compatibility: fields a response has
            and the schema does not are always kept and logged, never an error.
        disabled_client_side_validations: accepted for cvat-sdk compatibility (requests
            are checked against the schema's types and required fields only).
        server_index: accepted for cvat-sdk compatibility; the schema has one server
            (index 0), whose address is ``host``.
        server_variables: accepted for cvat-sdk compatibility; must be empty.
        server_operation_index: as ``server_index``, per operation.
        server_operation_variables: as ``server_variables``, per operation.
        deadline: the total time, in seconds, one API request may take (connecting,
            sending, waiting, reading the answer and retries), however steadily the server
            keeps sending; ``None``: the finite default (:data:`DEFAULT_DEADLINE`).
            Streamed transfers have no deadline.
        max_response_size: the largest JSON answer accepted, in bytes (default 64 MiB).
        max_annotations_response_size: the same for the annotation endpoints
            (default 1 GiB).

    Attributes:
        logger: the loggers of the client, by role (cvat-sdk shape): ``"package_logger"``
            (the ``cvat_client`` logger, which logs each request at DEBUG level) and
            ``"urllib3_logger"`` (the transport's: httpx logs to the ``httpx`` logger).
            Replacing ``"package_logger"`` sends the request log elsewhere.
    """

    def __init__(
        self,
        host: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        access_token: str | None = None,
        api_key: Mapping[str, str] | None = None,
        api_key_prefix: Mapping[str, str] | None = None,
        verify_ssl: bool | None = None,
        ssl_ca_cert: str | None = None,
        cert: str | tuple[str, str] | None = None,
        proxy: str | None = None,
        timeout: TimeoutTypes = None,
        headers: Mapping[str, str] | None = None,
        discard_unknown_keys: bool = False,
        disabled_client_side_validations: str = "",
        server_index: int | None = None,
        server_variables: Mapping[str, str] | None = None,
        server_operation_index: Mapping[str, int] | None = None,
        server_operation_variables: Mapping[str, Mapping[str, str]] | None = None,
        deadline: float | None = None,
        max_response_size: int | None = None,
        max_annotations_response_size: int | None = None,
    ) -> None:
        from cvat_client._lowlevel.body import (
            DEFAULT_MAX_ANNOTATIONS_RESPONSE_SIZE,
            DEFAULT_MAX_RESPONSE_SIZE,
        )
        from cvat_client._lowlevel.deadline import DEFAULT_DEADLINE

        if host is None:
            host = "http://localhost"
        if server_index not in (None, 0) or any(
            index != 0 for index in (server_operation_index or {}).values()
        ):
            raise ApiValueError("The CVAT schema has one server (index 0): give its URL as host")
        if server_variables or any((server_operation_variables or {}).values()):
            raise ApiValueError("The CVAT schema's server has no variables")
        self.logger: dict[str, logging.Logger] = {
            "package_logger": logging.getLogger("cvat_client"),
            "urllib3_logger": logging.getLogger("httpx"),
        }
        self.discard_unknown_keys = discard_unknown_keys
        self.disabled_client_side_validations = disabled_client_side_validations
        if not isinstance(host, str) or not host.strip():
            raise ApiValueError("Configuration(host=...) must be a non-empty URL string")
        if (username is None) != (password is None):
            raise ApiValueError("Configuration needs both username and password for Basic auth")
        unknown = set(api_key or {}) - set(SECURITY_SCHEMES)
        if unknown:
            raise ApiValueError(
                f"Unknown security scheme(s) in api_key: {sorted(unknown)}; "
                f"expected some of {list(SECURITY_SCHEMES)}"
            )
        self.host = host.rstrip("/")
        self.username = username
        self.password = password
        self.access_token = access_token
        self.api_key: dict[str, str] = dict(api_key or {})
        self.api_key_prefix: dict[str, str] = dict(api_key_prefix or {})
        self.verify_ssl: bool = True if verify_ssl is None else verify_ssl
        self.ssl_ca_cert = ssl_ca_cert
        self.cert = cert
        self.proxy = proxy
        _check_timeout(timeout)
        self.timeout: TimeoutTypes = timeout if timeout is not None else DEFAULT_TIMEOUT
        self.headers: dict[str, str] = dict(headers or {})
        for name, value in (
            ("deadline", deadline),
            ("max_response_size", max_response_size),
            ("max_annotations_response_size", max_annotations_response_size),
        ):
            if value is not None and (isinstance(value, bool) or value <= 0):
                raise ApiValueError(f"Configuration({name}=...) must be positive, got {value!r}")
        self.deadline: float = float(deadline) if deadline is not None else DEFAULT_DEADLINE
        self.max_response_size: int = (
            int(max_response_size) if max_response_size is not None else DEFAULT_MAX_RESPONSE_SIZE
        )
        self.max_annotations_response_size: int = (
            int(max_annotations_response_size)
            if max_annotations_response_size is not None
            else DEFAULT_MAX_ANNOTATIONS_RESPONSE_SIZE
        )

    def get_api_key_with_prefix(self, identifier: str, alias: str | None = None) -> str | None:
        """The key of the security scheme ``identifier`` (or else of ``alias``) with its
        prefix, as it goes on the wire (cvat-sdk name)."""
        scheme = identifier if identifier in self.api_key or alias is None else alias
        key = self.api_key.get(scheme)
        if key is None:
            return None
        prefix = self.api_key_prefix.get(scheme)
        if scheme == "tokenAuth" and prefix is None and not key.startswith("Token "):
            prefix = "Token"
        if scheme == "accessTokenAuth" and prefix is None and not key.startswith("Bearer "):
            prefix = "Bearer"
        return f"{prefix} {key}" if prefix else key

    def auth_settings(self) -> dict[str, dict[str, str]]:
        """The configured authentication, by scheme: ``{"in", "key", "value"}`` (cvat-sdk shape).

        Returned values are secrets: do not log them.
        """
        settings: dict[str, dict[str, str]] = {}
        if self.access_token is not None:
            settings["accessTokenAuth"] = {
                "in": "header",
                "key": "Authorization",
                "value": f"Bearer {self.access_token}",
            }
        if self.username is not None and self.password is not None:
            settings["basicAuth"] = {
                "in": "header",
                "key": "Authorization",
                "value": basic_auth_value(self.username, self.password),
            }
        locations = {
            "sessionAuth": ("cookie", "sessionid"),
            "csrfAuth": ("cookie", "csrftoken"),
            "csrfHeaderAuth": ("header", "X-CSRFToken"),
            "tokenAuth": ("header", "Authorization"),
            "accessTokenAuth": ("header", "Authorization"),
            "basicAuth": ("header", "Authorization"),
            "signatureAuth": ("query", "sign"),
        }
        for scheme, (where, name) in locations.items():
            value = self.get_api_key_with_prefix(scheme)
            if value is not None:
                settings[scheme] = {"in": where, "key": name, "value": value}
        return settings

    def get_basic_auth_token(self) -> str:
        """The ``Authorization`` value of Basic authentication with ``username`` and
        ``password`` (cvat-sdk name). A secret: do not log it."""
        return basic_auth_value(self.username or "", self.password or "")

    def get_host_settings(self) -> list[dict[str, Any]]:
        """The schema's servers (cvat-sdk name): one, whose address is ``host``."""
        return [{"url": "", "description": "No description provided"}]

    def get_host_from_settings(
        self,
        index: int | None,
        variables: Mapping[str, str] | None = None,
        servers: list[dict[str, Any]] | None = None,
    ) -> str:
        """The address of server ``index`` of ``servers`` (cvat-sdk name); ``None``: ``host``."""
        if index is None:
            return self.host
        servers = self.get_host_settings() if servers is None else servers
        if not 0 <= index < len(servers):
            raise ApiValueError(
                f"Invalid index {index} when selecting the host settings. "
                f"Must be less than {len(servers)}"
            )
        url = str(servers[index]["url"])
        for name, spec in dict(servers[index].get("variables") or {}).items():
            value = (variables or {}).get(name, spec.get("default_value"))
            url = url.replace("{" + name + "}", str(value))
        return url

    def ssl_context(self) -> ssl.SSLContext | bool:
        """The TLS verification setting for httpx.

        Verifying contexts are shared by the clients of the process (loading the CA
        bundle takes tens of milliseconds, the bulk of making a client), except with a
        client certificate, which httpx loads into the context.
        """
        if not self.verify_ssl:
            return False
        if self.cert is not None:
            if self.ssl_ca_cert:
                import ssl

                return ssl.create_default_context(cafile=self.ssl_ca_cert)
            return True
        return _shared_ssl_context(
            self.ssl_ca_cert, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
        )

    def __repr__(self) -> str:
        shown: list[str] = [f"host={self.host!r}"]
        if self.username is not None:
            shown.append(f"username={self.username!r}, password='***'")
        if self.access_token is not None:
            shown.append("access_token='***'")
        if self.api_key:
            shown.append("api_key={" + ", ".join(f"{k!r}: '***'" for k in self.api_key) + "}")
        if not self.verify_ssl:
            shown.append("verify_ssl=False")
        return f"Configuration({', '.join(shown)})"

    def __copy__(self) -> Configuration:
        new = object.__new__(Configuration)
        new.__dict__.update(self.__dict__)
        new.api_key = dict(self.api_key)
        new.api_key_prefix = dict(self.api_key_prefix)
        new.headers = dict(self.headers)
        new.logger = dict(self.logger)
        return new


@functools.lru_cache(maxsize=8)
def _shared_ssl_context(
    cafile: str | None, env_file: str | None, env_dir: str | None
) -> ssl.SSLContext:
    """A verifying context: of ``cafile``, or httpx's default (which reads the
    ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` environment variables, part of the cache key)."""
    import ssl

    if cafile:
        return ssl.create_default_context(cafile=cafile)
    import httpx

    return httpx.create_ssl_context()


def basic_auth_value(username: str, password: str) -> str:
    """The ``Authorization`` header value of HTTP Basic authentication."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def _check_timeout(value: Any) -> None:
    httpx_module = sys.modules.get("httpx")
    if value is None or (httpx_module is not None and isinstance(value, httpx_module.Timeout)):
        return
    if isinstance(value, bool) or not isinstance(value, int | float | tuple):
        raise ApiTypeError(
            f"timeout must be a number, a (connect, read) pair or httpx.Timeout, got {value!r}"
        )
    numbers = value if isinstance(value, tuple) else (value,)
    if len(numbers) not in (1, 2) or not all(
        isinstance(n, int | float) and not isinstance(n, bool) and n > 0 for n in numbers
    ):
        raise ApiValueError(f"timeout values must be positive seconds, got {value!r}")


def to_httpx_timeout(value: Any) -> httpx.Timeout:
    """Convert a user timeout (seconds, ``(connect, read)`` or httpx.Timeout) to httpx's type.

    ``None`` gives :data:`DEFAULT_TIMEOUT`: there is no way to wait forever by accident.
    """
    import httpx

    _check_timeout(value)
    if value is None:
        value = DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, tuple):
        connect, read = value
        return httpx.Timeout(float(read), connect=float(connect))
    return httpx.Timeout(float(value))
