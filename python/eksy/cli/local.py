"""``eksy local``: run the EKS emulator in the foreground for other processes and tools.

Prints one start-up line to stdout, ``eksy local: EKS emulator listening on URL (...)``,
serves until SIGINT or SIGTERM, then stops cleanly (exit status 0) and frees the port.
The default port is 9566; ``--port 0`` picks a free one (read it from the start-up line).
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from types import FrameType

from eksy.testing import DEFAULT_ACCOUNT_ID, LocalEKS

DEFAULT_PORT = 9566


def _timing(text: str) -> tuple[str, float]:
    name, sep, seconds = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError("expected NAME=SECONDS, e.g. cluster_create=30 or all=0")
    try:
        value = float(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{seconds!r} is not a number of seconds") from None
    if value < 0:
        raise argparse.ArgumentTypeError("seconds must not be negative")
    return name, value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eksy local",
        description="Run the local Amazon EKS emulator in the foreground until SIGINT/SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to bind; 0 picks a free one (default {DEFAULT_PORT})"
    )
    parser.add_argument("--region", default="us-east-1", help="default region for controls (default us-east-1)")
    parser.add_argument(
        "--account-id",
        default=None,
        help=f"account for access keys that are not 12-digit account ids (default {DEFAULT_ACCOUNT_ID})",
    )
    parser.add_argument(
        "--timing",
        action="append",
        type=_timing,
        default=[],
        metavar="NAME=SECONDS",
        help="lifecycle duration, repeatable, e.g. --timing cluster_create=30 or --timing all=0",
    )
    parser.add_argument(
        "--state-file", default=None, help="restore state from this file at start and save it on every change"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``eksy local``; returns the exit status."""
    args = _parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"eksy local: invalid port {args.port}", file=sys.stderr)
        return 2
    if not _is_loopback(args.host):
        print(
            f"eksy local: warning: binding {args.host}, reachable from other machines; "
            "the emulator accepts any credentials",
            file=sys.stderr,
        )
    timings: dict[str, float] = {}
    # "all" first, so a specific name given with it wins; the emulator validates the names.
    for name, seconds in sorted(args.timing, key=lambda pair: pair[0] != "all"):
        timings[name] = seconds
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            emulator = LocalEKS(
                host=args.host,
                port=args.port,
                region=args.region,
                account_id=args.account_id,
                timings=timings or None,
                state_file=args.state_file,
            )
        except OSError as error:
            print(f"eksy local: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
            return 1
        except ValueError as error:  # an unknown --timing name, or a state file it cannot use
            print(f"eksy local: {error}", file=sys.stderr)
            return 2
        with emulator:
            print(
                f"eksy local: EKS emulator listening on {emulator.endpoint_url} "
                f"(region {args.region}, account {emulator.account_id}); press Ctrl-C to stop",
                flush=True,
            )
            if emulator.control_token:
                print(
                    f"eksy local: controls from other hosts need the header x-eksy-control-token: "
                    f"{emulator.control_token}",
                    flush=True,
                )
            # Short waits keep the main thread responsive to signals on every platform.
            while not stop.wait(0.2):
                pass
        print("eksy local: stopped", flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
