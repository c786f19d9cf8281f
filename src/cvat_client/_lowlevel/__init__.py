"""Hand-written runtime of the low-level client.

The generated package :mod:`cvat_client.api_client` is thin: models, one method per
operation and endpoint descriptions. Everything with logic lives here, where it is
linted, type-checked and tested like any other hand-written code:

* :mod:`.unset` - the ``UNSET`` sentinel for omitted fields and parameters;
* :mod:`.exceptions` - the exception tree rooted in :class:`ApiException`;
* :mod:`.configuration` - :class:`Configuration` (host, credentials, TLS, timeouts);
* :mod:`.model_support` - tolerant, fast parsing helpers used by generated models;
* :mod:`.validation` - opt-in strict validation of inputs and outputs;
* :mod:`.endpoint` - endpoint descriptions and the ``*Api`` base classes;
* :mod:`.request_building` - turning call arguments into an HTTP request;
* :mod:`.auth` - authentication, session cookies and CSRF handling;
* :mod:`.client` - :class:`BaseApiClient` / :class:`BaseAsyncApiClient` over httpx.
"""
