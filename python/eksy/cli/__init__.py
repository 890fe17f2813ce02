"""The `eksy` command: one dispatcher; each command lives in its own module, loaded on use.

`eksy token` is run by kubectl for every new process, so nothing here imports more than the
command that was asked for.
"""

from __future__ import annotations

import importlib
import sys

# command -> (module, one-line summary)
COMMANDS = {
    "demo": ("eksy.cli.demo", "walk through a realistic EKS session against the built-in emulator"),
    "local": ("eksy.cli.local", "run the local EKS emulator in the foreground (AWS CLI, other SDKs, Terraform)"),
    "token": ("eksy.cli.token", "print a Kubernetes ExecCredential for a cluster (the kubectl exec plugin)"),
    "kubeconfig": ("eksy.cli.kubeconfig", "add or update a cluster's entry in a kubeconfig file"),
}


def usage() -> str:
    lines = ["usage: eksy <command> [options]", "", "commands:"]
    lines += [f"  {name:<11} {summary}" for name, (_, summary) in COMMANDS.items()]
    lines += ["", "`eksy <command> --help` for the options of a command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage())
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"eksy: unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    status: int = module.main(rest)
    return status
