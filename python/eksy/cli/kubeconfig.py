"""`eksy kubeconfig`: add or update a cluster's entry in a kubeconfig file (`aws eks update-kubeconfig`).

The user entry runs `eksy token` (by absolute path), so kubectl gets its tokens from eksy's
cached exec plugin instead of the AWS CLI.
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eksy kubeconfig",
        description="Add or update a cluster's entry in a kubeconfig file and make it the current context.",
    )
    parser.add_argument("--name", required=True, help="the EKS cluster")
    parser.add_argument("--region", help="the cluster's region (default: the environment's or profile's)")
    parser.add_argument(
        "--kubeconfig",
        help="the file to update (default: the first KUBECONFIG file holding the cluster, else the first "
        "KUBECONFIG file, else ~/.kube/config)",
    )
    parser.add_argument("--alias", help="name of the context (default: the user's name)")
    parser.add_argument("--user-alias", help="name of the user entry (default: the cluster ARN)")
    parser.add_argument("--role-arn", help="an IAM role `eksy token` assumes to authenticate to the cluster")
    parser.add_argument("--profile", help="AWS profile (also set as AWS_PROFILE for `eksy token`)")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the merged kubeconfig (other users' credentials shown as REDACTED) and write nothing",
    )
    parser.add_argument("--endpoint-url", help="EKS endpoint URL (e.g. `eksy local`'s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    import eksy
    from eksy.kube._kubeconfig import KubeconfigError, redact, update_kubeconfig

    try:
        result = update_kubeconfig(
            args.name,
            region=args.region,
            kubeconfig=args.kubeconfig,
            alias=args.alias,
            user_alias=args.user_alias,
            role_arn=args.role_arn,
            profile=args.profile,
            dry_run=args.dry_run,
            endpoint_url=args.endpoint_url,
        )
    except (KubeconfigError, eksy.EksError) as error:
        print(f"eksy kubeconfig: error: {error}", file=sys.stderr)
        return 1
    if result.text is not None:
        sys.stdout.write(redact(result.text))
        return 0
    action = "Updated context" if result.updated else "Added new context"
    preposition = "in" if result.updated else "to"
    print(f"{action} {result.context} {preposition} {result.path}")
    return 0
