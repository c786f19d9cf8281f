"""Sessions: login, logout, server version, Client and Config used directly."""

import os

from cvat_sdk import Client, Config, make_client
from cvat_sdk.core.client import AccessTokenCredentials, PasswordCredentials

url, user, password = (os.environ[k] for k in ("CORPUS_URL", "CORPUS_USER", "CORPUS_PASSWORD"))

client = Client(url, config=Config(status_check_period=0.01))
assert not client.has_credentials()
client.login((user, password))
assert client.has_credentials()
version = client.get_server_version()
print("version", str(version), version.major, version.minor)
client.check_server_version(fail_if_unsupported=True)
print("me", client.users.retrieve_current_user().username)
client.logout()
assert not client.has_credentials()
client.close()

with make_client(url, credentials=PasswordCredentials(user, password)) as again:
    print("password credentials", again.users.retrieve_current_user().username)

host, _, port = url.rpartition(":")
with make_client(host, port=int(port), credentials=(user, password)) as by_port:
    print("by port", by_port.api_client.configuration.host == url)

try:
    make_client(url, credentials=(user, password), access_token="x")
except ValueError:
    print("credentials or token, not both")
assert AccessTokenCredentials("t").token == "t"
