"""The `eksy` command: `eksy demo` (a guided session on the embedded emulator) and `eksy local`."""

from __future__ import annotations

import sys

USAGE = """usage: eksy <command> [options]

commands:
  demo    walk through a realistic EKS session against the built-in emulator
  local   run the local EKS emulator in the foreground (for the AWS CLI, other SDKs, Terraform)

`eksy <command> --help` for the options of a command."""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "demo":
        from eksy._demo import main as demo

        return demo(rest)
    if command == "local":
        from eksy._local_cli import main as local

        return local(rest)
    print(f"eksy: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2
