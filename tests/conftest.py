"""Settings of the whole suite.

Every answer of every CVAT test server created by a test is checked against CVAT's schema:
``cvat_check_schema = true`` in pyproject's pytest settings turns on the plugin's check
(see docs/testing.md). ``pytester`` runs the plugin's own tests.
"""

pytest_plugins = ["pytester"]
