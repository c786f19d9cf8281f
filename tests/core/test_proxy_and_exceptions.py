"""Proxy settings from the environment, and the public exceptions module."""

from __future__ import annotations

import pytest

from cvat_client.core.client import environment_proxy


def test_environment_proxy_follows_scheme_and_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "cvat.internal")
    assert environment_proxy("https://app.cvat.ai") == "http://proxy.example:3128"
    assert environment_proxy("http://app.cvat.ai") is None
    assert environment_proxy("https://cvat.internal") is None
    monkeypatch.setenv("ALL_PROXY", "http://all.example:8080")
    assert environment_proxy("http://app.cvat.ai") == "http://all.example:8080"


def test_exceptions_module_holds_the_whole_tree() -> None:
    import cvat_client.exceptions as exceptions

    assert issubclass(exceptions.NotFoundException, exceptions.ApiException)
    assert issubclass(exceptions.BackgroundRequestException, exceptions.ApiException)
    assert issubclass(exceptions.BackgroundRequestTimeout, TimeoutError)
    assert {"ApiException", "LoginError", "UploadError", "DownloadError"} <= set(exceptions.__all__)
