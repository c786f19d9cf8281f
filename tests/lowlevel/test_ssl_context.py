"""The verifying TLS context is made once per process, not once per client."""

from __future__ import annotations

import ssl

import certifi

from cvat_client.api_client import Configuration


def test_clients_share_the_verifying_context() -> None:
    first = Configuration("https://a.example").ssl_context()
    second = Configuration("https://b.example").ssl_context()
    assert isinstance(first, ssl.SSLContext) and first is second
    assert first.verify_mode is ssl.CERT_REQUIRED and first.check_hostname


def test_ca_file_contexts_are_shared_per_file() -> None:
    with_ca = Configuration("https://a.example", ssl_ca_cert=certifi.where()).ssl_context()
    assert isinstance(with_ca, ssl.SSLContext)
    assert with_ca is Configuration("https://b.example", ssl_ca_cert=certifi.where()).ssl_context()
    assert with_ca is not Configuration("https://c.example").ssl_context()


def test_no_sharing_with_a_client_certificate_or_without_verification() -> None:
    # httpx loads a client certificate into the context it is given: never a shared one
    assert Configuration("https://a.example", cert="client.pem").ssl_context() is True
    assert Configuration("https://a.example", verify_ssl=False).ssl_context() is False
