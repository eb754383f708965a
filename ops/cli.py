"""Command-line tools behind `./musrenbang <command>` that print JSON for scripts and officers."""

from __future__ import annotations

import argparse
import json
import sys

from core import regions, settings


def cmd_region(args: argparse.Namespace) -> int:
    scope = "" if args.all else settings.load().region_code
    found = regions.gazetteer().resolve(args.text, scope, limit=args.limit)
    print(json.dumps({"query": args.text, "scope": scope or "national", "ambiguous": regions.is_ambiguous(found),
                      "candidates": [c.as_dict() for c in found]}, ensure_ascii=False, indent=2))
    return 0 if found else 1


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="musrenbang")
    commands = root.add_subparsers(dest="command", required=True)
    region = commands.add_parser("region", help="resolve a desa/kelurahan name to Kemendagri codes")
    region.add_argument("text")
    region.add_argument("--all", action="store_true", help="search the whole country, not only this kabupaten")
    region.add_argument("--limit", type=int, default=5)
    region.set_defaults(run=cmd_region)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
