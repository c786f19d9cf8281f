"""Pure protocol logic of the high-level client, free of I/O.

Everything here decides *what* to do next; the sync client (and later its async twin)
does the sending and the sleeping:

* :mod:`.retry` - which failures to retry and how long to wait;
* :mod:`.polling` - the schedule of status checks of a background request;
* :mod:`.pagination` - following the pages of a list endpoint;
* :mod:`.tus` - the state of a resumable upload and the batching of small files;
* :mod:`.download` - resuming a download with ``Range``;
* :mod:`.version` - a small comparable server version;
* :mod:`.urls` - normalizing the server address.
"""
