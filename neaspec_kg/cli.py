"""The ``neaspec-kg`` command: a thin layer over the library; errors become exit codes here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from neaspec_kg.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="neaspec-kg", description="NEASPEC knowledge graph tools")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build and validate the graph from data/ into build/")
    build.add_argument("--force", action="store_true", help="rebuild even if the sources are unchanged")
    build.add_argument("--quiet", action="store_true", help="no progress display")
    build.add_argument("--accept-shrink", action="append", default=[], metavar="FILE",
                       help="a report whose far smaller extraction than in the last good build is intended")

    validate = commands.add_parser("validate", help="validate RDF files against the project's SHACL shapes")
    validate.add_argument("files", nargs="+", type=Path)

    serve = commands.add_parser("serve", help="serve the SPARQL endpoint and Linked Data pages")
    settings = load_settings()
    serve.add_argument("--host", default=settings.host)
    serve.add_argument("--port", type=int, default=settings.port)
    serve.add_argument("--store", type=Path, default=None, help="a store folder (default: the current build's)")

    publish = commands.add_parser("publish", help="write a release of the current graph")
    publish.add_argument("--out", type=Path, default=Path("dist"))

    args = parser.parse_args(argv)
    handler = {"build": _build, "validate": _validate, "serve": _serve, "publish": _publish}[args.command]
    return handler(args)


def _build(args: argparse.Namespace) -> int:
    from neaspec_kg.build import BuildError, run_build

    try:
        run_build(load_settings(), force=args.force, progress=not args.quiet, accept_shrink=tuple(args.accept_shrink))
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0


def _validate(args: argparse.Namespace) -> int:
    from neaspec_kg.validate import validate_files

    report = validate_files(args.files, load_settings())
    print(report.text)
    return 0 if report.conforms else 1


def _serve(args: argparse.Namespace) -> int:
    from neaspec_kg.serve import run_server

    return run_server(load_settings(), host=args.host, port=args.port, store=args.store)


def _publish(args: argparse.Namespace) -> int:
    from neaspec_kg.publish import PublishError, publish

    try:
        result = publish(load_settings(), args.out)
    except PublishError as exc:
        print(f"publish failed: {exc}", file=sys.stderr)
        return 1
    state = "unchanged, already published" if result.unchanged else f"{len(result.files)} files"
    print(f"release {result.version}: {state} in {result.seconds:.1f} s -> {result.folder}"
          + (f" (previous: {result.previous})" if result.previous else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
