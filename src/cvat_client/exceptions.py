"""All exceptions of cvat-client, in one tree rooted in :class:`ApiException`.

``from cvat_client.exceptions import NotFoundException, BackgroundRequestException``.
(The same classes as :mod:`cvat_client.core.exceptions`.)
"""

from cvat_client.core.exceptions import *  # noqa: F403
from cvat_client.core.exceptions import __all__ as __all__
