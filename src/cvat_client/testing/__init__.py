"""A stateful CVAT 2.73 test server for tests and demos (optional extra ``cvat-client[testing]``)."""
