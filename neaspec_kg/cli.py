"""The ``neaspec-kg`` command: a thin layer over the library; errors become exit codes here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def load_settings(**overrides):
    # Imported when a command runs, not with this module: every query worker process of the
    # server imports the command's module on start (multiprocessing's spawn), and pydantic
    # would cost each of them about a fifth of a second.
    from neaspec_kg.settings import load_settings as load

    return load(**overrides)


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
    serve.add_argument("--host", default=None, help="default: NEASPEC_KG_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: NEASPEC_KG_PORT or 8000")
    serve.add_argument("--store", type=Path, default=None, help="a store folder (default: the current build's)")
    serve.add_argument("--backend", default=None, metavar="URL",
                       help="serve from this SPARQL 1.1 query endpoint instead of the embedded store")

    load = commands.add_parser("load", help="load the current build into an existing SPARQL store")
    load.add_argument("--into", required=True, metavar="URL",
                      help="the store's SPARQL endpoint (its Graph Store endpoint: NEASPEC_KG_BACKEND_GSP_URL)")

    publish = commands.add_parser("publish", help="write a release of the current graph")
    publish.add_argument("--out", type=Path, default=Path("dist"))

    args = parser.parse_args(argv)
    handler = {"build": _build, "validate": _validate, "serve": _serve, "publish": _publish, "load": _load}[args.command]
    try:
        from neaspec_kg.settings import SettingsError

        try:
            return handler(args)
        except SettingsError as exc:
            print(f"neaspec-kg: {exc}", file=sys.stderr)
            return 2
    except KeyboardInterrupt:  # Ctrl-C before the command handles it (as `serve` does once it serves): a line, no traceback
        print(f"neaspec-kg {args.command}: interrupted", file=sys.stderr)
        return 130


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

    import os

    if args.backend is not None and (not args.backend.strip() or args.store is not None):
        why = "needs the URL of a SPARQL endpoint" if not args.backend.strip() else "and --store exclude each other"
        print(f"serve: --backend {why}", file=sys.stderr)
        return 2
    # The command line wins over the environment; uvicorn's worker processes read it from there.
    for name, value in (("BACKEND_URL", args.backend), ("HOST", args.host), ("PORT", args.port)):
        if value is not None:
            os.environ[f"NEASPEC_KG_{name}"] = str(value)
    settings = load_settings()
    return run_server(settings, host=settings.host, port=settings.port, store=args.store)


def _load(args: argparse.Namespace) -> int:
    from neaspec_kg.errors import BackendError
    from neaspec_kg.store.load import load_into

    settings = load_settings(backend_url=args.into)
    try:
        report = load_into(settings)
    except BackendError as exc:
        print(f"load failed: {exc}", file=sys.stderr)
        return 1
    print(report)
    return 0


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
