"""``python -m cvat_client.testing``: serve a CVAT 2.73 test server over HTTP until interrupted."""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Sequence

import uvicorn

from cvat_client.testing.server import CvatTestServer


def _credentials(value: str) -> tuple[str, str]:
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise argparse.ArgumentTypeError("expected USER:PASSWORD")
    return user, password


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(
        prog="python -m cvat_client.testing", description="Run the CVAT 2.73 test server."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    parser.add_argument(
        "--admin", type=_credentials, metavar="USER:PASSWORD", help="superuser to create"
    )
    parser.add_argument("--media-dir", help="keep uploaded and generated files here")
    parser.add_argument(
        "--worker-delay",
        type=float,
        default=0.0,
        help="seconds each background request takes: queued for half, started for half",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="a delay before every request is handled (fault injection; default: none)",
    )
    args = parser.parse_args(argv)
    if args.latency < 0:
        parser.error("--latency must not be negative")
    admin = args.admin
    if admin is None:
        admin = ("admin", secrets.token_urlsafe(12))
        print(f"created superuser {admin[0]!r} with password {admin[1]!r}", file=sys.stderr)
    server = CvatTestServer(admin=admin, worker_delay=args.worker_delay, media_dir=args.media_dir)
    if args.latency:
        server.faults.add(r"", delay=args.latency)
    print(f"serving CVAT 2.73 test server on http://{args.host}:{args.port}", file=sys.stderr)
    try:
        uvicorn.run(server.app, host=args.host, port=args.port, log_level="warning", lifespan="off")
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
