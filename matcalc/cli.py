"""The command line: list, prove, check, diff, recheck, serve. Errors are one line on stderr, exit 2.

This module parses arguments, prints or writes, and sets the exit status; a diff is answered by
the front door (``front``), and every document is laid out by ``documents`` and the printers.

Heavy modules (the parser, the engine, rich) are imported inside the commands that
need them, so `matcalc --help` and `matcalc list` start fast.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from . import __version__
from .errors import MatcalcError, printable

FORMATS = ("rich", "plain", "latex", "markdown", "json", "mathml")


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line and exit status 2, and expressions that
    start with a minus sign ("-tr(X)") taken as values, not as unknown options."""

    def error(self, message):
        self.exit(2, f"matcalc: error: {printable(message)} (see {self.prog} --help)\n")

    #: A function giving text for the end of the help, computed when the help is printed (so that
    #: `matcalc --help` does not load the operator registry).
    more_help = None

    def format_help(self):
        if self.more_help is not None and self.epilog is None:
            self.epilog = self.more_help()
        return super().format_help()

    def _parse_optional(self, arg_string):
        if arg_string[:1] == "-" and arg_string[:2] not in self._option_string_actions and arg_string[:2] != "--":
            return None  # every option is --long, -h or -q: anything else is a value
        return super()._parse_optional(arg_string)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="matcalc", description="Derive gradients of scalar functions of matrices "
                                "with the trace trick, step by step, and check them independently.")
    p.add_argument("--version", action="version", version=f"matcalc {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    lst = sub.add_parser("list", help="the catalog of proofs")
    lst.add_argument("--format", choices=FORMATS)

    def common(q, formats=FORMATS):
        q.add_argument("--format", choices=formats, help="output format (default: rich on a terminal, else plain)")
        q.add_argument("--output", metavar="FILE", help="write to FILE: .tex .md .json .txt .svg or .pdf (diff: .toml, the request as a proof file)")
        q.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")

    def emit(q):
        q.add_argument("--emit", choices=("numpy", "jax", "torch"),
                       help="print a Python module computing f and its derivatives, with its own check "
                            "(--output FILE writes it)")

    prove = sub.add_parser("prove", help="derive and check every claim of a catalog proof")
    prove.add_argument("name", help="catalog proof name, or a path to a proof file")
    prove.add_argument("--standalone", action="store_true", help="with --format latex or mathml: a whole document")
    common(prove)
    emit(prove)

    chk = sub.add_parser("check", help="check every claim in proof files, and every equation of Markdown or LaTeX "
                                       "documents (.md, .tex; - for standard input), or in folders of them")
    chk.add_argument("paths", nargs="+", metavar="PATH")
    chk.add_argument("--quiet", "-q", action="store_true", help="show only what is not as expected, and the summary")
    chk.add_argument("--standalone", action="store_true", help="with --format latex or mathml: a whole document")
    chk.add_argument("--explain", action="store_true",
                     help="print the checker's plan for every claim (instances, sizes, scales, directions); check nothing")
    chk.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N",
                     help="check files in N worker processes (default: the number of cores); "
                          "the output is the same as with -j 1")
    chk.add_argument("--cache", metavar="DIR",
                     help="keep what holds (or is refuted as expected) in DIR, and do not check again a claim or "
                          "document unchanged since, under the same matcalc, python-flint, SymPy and Lark; the plain, terminal "
                          "and JSON output mark such results (cached)")
    chk.add_argument("--no-cache", action="store_true",
                     help="check everything, reading no cache (with --cache, the results still go into it)")
    chk.add_argument("--shard", type=_shard, metavar="I/N",
                     help="check only shard I of N (1 <= I <= N): a fixed split by claim (documents whole), the "
                          "same on every machine, so that N jobs together check everything once")
    chk.add_argument("--junit-xml", metavar="FILE", help="also write a JUnit XML report to FILE: a test case per "
                                                        "claim and per document")
    common(chk)

    diff = sub.add_parser("diff", help="derive a gradient (or a Jacobian, or a Hessian) ad hoc",
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    diff.more_help = _language_help
    diff.add_argument("expr", help='f, e.g. "tr(A * X)" or "-tr(X)" (a non-scalar f gets its Jacobian); '
                                   'after -- only EXPR may follow')
    diff.add_argument("--wrt", required=True, help="the symbol to differentiate by")
    diff.add_argument("--latex", action="store_true",
                      help=r"read EXPR, --gradient and --wrt as LaTeX, e.g. '\operatorname{tr}(A^\top X B)' --wrt X "
                           "(docs/language.md, LaTeX input)")
    diff.add_argument("--sym", action="append", default=[], metavar="NAME=SHAPE", help='e.g. "X=matrix(m,n)"')
    diff.add_argument("--fn", action="append", default=[], metavar="NAME=KIND", help='e.g. "sigma=elementwise"')
    diff.add_argument("--let", action="append", default=[], metavar="NAME=EXPR", help='e.g. "z=W*x+b"')
    diff.add_argument("--assume", action="append", default=[], metavar="EQUALITY", help='e.g. "sum(Y) = 1"')
    claim = diff.add_mutually_exclusive_group()
    claim.add_argument("--gradient", help="a claimed gradient to check as well")
    claim.add_argument("--jacobian", metavar="J", help="a claimed Jacobian d vec(f) / d vec(X)' to check")
    claim.add_argument("--hessian", nargs="?", const="", metavar="H",
                       help="derive the Hessian of a scalar f; with a value, check that claimed Hessian")
    diff.add_argument("--standalone", action="store_true", help="with --format latex or mathml: a whole document")
    common(diff)
    emit(diff)

    rck = sub.add_parser("recheck", help="re-evaluate the refutation certificates in matcalc check --format json "
                                         "output, independently of the checker")
    rck.add_argument("files", nargs="+", metavar="FILE", help="JSON written by matcalc check (or diff) --format json")

    srv = sub.add_parser("serve", help="a local web page and JSON API that derive and check (needs matcalc[web])")
    srv.add_argument("--port", type=int, default=8765, help="default 8765")
    srv.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (another host is reachable by others)")
    srv.add_argument("--open", action="store_true", help="open the page in the browser")
    srv.add_argument("--timeout", type=float, default=10.0, help="seconds one derivation may take (default 10)")
    return p


def _language_help() -> str:
    """The language in brief, for `matcalc diff --help`: operators, and the functions by kind, from
    the operator registry (docs/operators.md has each one's meaning)."""
    import textwrap

    from . import ops

    def line(head: str, names) -> str:
        return textwrap.fill(", ".join(names), width=100, initial_indent=f"  {head:<12}", subsequent_indent=" " * 14)

    return "\n".join([
        "the language:",
        line("operators", ["+", "-", "* (matrix product)", ".* ./ (entrywise)", "/ (by a scalar)", "^ (power)",
                           ".^ (entrywise power)", "' (transpose)", "( )"]),
        line("functions", ops.of_kind(ops.CALL)),
        line("entrywise", ops.of_kind(ops.ENTRYWISE)),
        line("built-ins", ops.of_kind(ops.NODE)),
        line("shapes", ["scalar", "integer", "vector(n)", "matrix(m, n)", "symmetric(n)"]),
        "",
        "e.g. matcalc diff \"tr(A' * X * B)\" --wrt X --sym \"A=matrix(m,p)\" --sym \"X=matrix(m,n)\" --sym \"B=matrix(n,p)\"",
    ])


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number of jobs of at least 1, got {text!r}")
    return n


def _shard(text: str) -> tuple[int, int]:
    from .cache import parse_shard

    try:
        return parse_shard(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _format(args) -> str:
    if args.format:
        return args.format
    return "rich" if sys.stdout.isatty() and not os.environ.get("NO_COLOR") else "plain"


def cmd_list(args) -> int:
    from .documents import catalog_document
    from .proof_catalog import entries

    _deliver(args, catalog_document(entries()))
    return 0


def _deliver(args, render) -> None:
    """Print the rendering, or write it to --output (format from the extension), whole or not at all."""
    if not getattr(args, "output", None):
        out = render(_format(args), getattr(args, "standalone", False))
        if isinstance(out, str):
            sys.stdout.write(out)
        else:
            from .printers.terminal import console

            console().print(out)
        return
    from pathlib import Path

    from .documents import file_bytes, output_format

    path = Path(args.output)
    _write_whole(path, file_bytes(render, output_format(path)))


def _write_whole(path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it: all or nothing.
    (The temporary name is short, so a name too long fails alone, on the rename.)"""
    tmp = path.parent / f".matcalc-{os.getpid()}.partial"
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        with contextlib.suppress(OSError, ValueError):
            tmp.unlink(missing_ok=True)
        raise MatcalcError(f"cannot write {printable(str(path))}: {getattr(e, 'strerror', None) or e}") from None


def _deliver_code(args, proof, reports) -> None:
    """The emitted module on stdout, or written whole to --output."""
    from pathlib import Path

    from .codegen import emit

    source = emit(args.emit, proof, reports)
    if args.output:
        _write_whole(Path(args.output), source.encode("utf-8"))
    else:
        sys.stdout.write(source)


def _exit_status(reports, documents=()) -> int:
    if any(r.verdict == "error" for r in reports) or any(d.error for d in documents):
        return 2
    return 0 if all(r.ok for r in reports) and all(d.ok for d in documents) else 1


def cmd_prove(args) -> int:
    from pathlib import Path

    from .documents import proof_document
    from .proof_catalog import find
    from .prooffile import load
    from .report import run_proof

    path = Path(args.name) if args.name.endswith(".toml") else find(args.name)
    proof = load(path)
    reports = run_proof(proof, seed=args.seed)
    if args.emit:
        _deliver_code(args, proof, reports)
    else:
        _deliver(args, proof_document(proof, reports))
    return _exit_status(reports)


def cmd_diff(args) -> int:
    from .documents import diff_document
    from .front import Request, answer, answer_latex, declarations

    if args.latex and (args.jacobian or args.hessian):
        raise MatcalcError("--latex reads EXPR, --gradient and --wrt: give a claimed Jacobian or Hessian "
                           "in the language, without --latex")
    request = Request(f=args.expr, wrt=args.wrt, symbols=declarations(args.sym, "sym"),
                      functions=declarations(args.fn, "fn"), let=declarations(args.let, "let"), assume=args.assume,
                      gradient=args.gradient, jacobian=args.jacobian, hessian=args.hessian or None,
                      kind="hessian" if args.hessian is not None else None, seed=args.seed)
    if args.latex:  # the request as read into the language, for a proof file
        request, a = answer_latex(request, name="diff", path="<command line>", partial=True, door="cli")
    else:
        a = answer(request, name="diff", path="<command line>", partial=True, door="cli")
    if args.output and args.output.lower().endswith(".toml"):  # the request as a proof file; the derivation printed
        _write_whole(Path(args.output), proof_file(request, a).encode("utf-8"))
        args.output = None
    if args.emit:
        _deliver_code(args, a.proof, [a.report])
    else:
        _deliver(args, diff_document(a.proof, a.report))
    if a.report.error:  # derived, but the check could not run: the derivation shows, and the error as always
        print(f"matcalc: error: {a.report.error}", file=sys.stderr)
    return _exit_status([a.report])


def proof_file(request, a) -> str:
    """The request as a proof file: every symbol declared (the inferred ones too), and the claim as given,
    or else the derived result when the checker found it to hold."""
    from .language import show
    from .proof_text import toml_text

    scope = a.proof.scope
    body = {"f": request.f, "wrt": request.wrt, "symbols": {n: scope.declaration(n) for n in scope.symbols},
            "functions": dict(request.functions or {}), "let": dict(request.let or {}), "assume": list(request.assume)}
    claimed = {k: getattr(request, k) for k in ("gradient", "jacobian", "hessian") if getattr(request, k)}
    r = a.report
    if not claimed and r.derivation is not None and r.derived is not None and r.derived.status == "holds":
        claimed = {r.derivation.kind: show(r.derivation.gradient)}
    elif not claimed and request.kind:
        claimed = {"kind": request.kind}
    return toml_text({**body, **claimed}, name="diff")


#: The formats that print a line (or a JSON object) per claim, which a result from the cache can
#: give; the others show every derivation, so with them the cache is written but not read.
CACHED_FORMATS = ("plain", "rich", "json")


def cmd_check(args) -> int:
    from .check_files import check_paths, summarize
    from .deep import run
    from .documents import check_document, output_format

    if args.explain:
        return _explain(args)
    cache = None
    if args.cache:
        from .cache import Cache

        cache = Cache(args.cache)
    fmt = output_format(Path(args.output)) if args.output else _format(args)
    reports, documents = check_paths(args.paths, seed=args.seed, progress=not args.quiet and sys.stderr.isatty(),
                                     jobs=args.jobs or None, cache=cache,
                                     read_cache=not args.no_cache and fmt in CACHED_FORMATS, shard=args.shard)
    if args.junit_xml:
        from .junit import junit_xml

        _write_whole(Path(args.junit_xml), junit_xml(reports, documents))
    run(_deliver, args, check_document(reports, summarize(reports), quiet=args.quiet, documents=documents))
    return _exit_status(reports, documents)


def _explain(args) -> int:
    """``check --explain``: every claim's plan; nothing is checked."""
    from .check_files import expand
    from .documents import plans_document
    from .notes import is_document
    from .prooffile import load

    found, empty = expand(args.paths)
    files = [f for f in found if not is_document(f)]
    if empty or not files:
        raise MatcalcError(f"no proof files in {', '.join(empty or args.paths)}")
    _deliver(args, plans_document(files, [load(f) for f in files], seed=args.seed))
    return 0


def cmd_recheck(args) -> int:
    from .recheck import run

    return run(args.files, sys.stdout)


def cmd_serve(args) -> int:
    if not args.timeout > 0:
        raise MatcalcError(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
    try:
        from .web.app import serve
    except ImportError as e:
        missing = (e.name or "").split(".")[0]
        if missing not in ("starlette", "uvicorn"):
            raise
        raise MatcalcError(f"matcalc serve needs {missing}: pip install 'matcalc[web]'") from None
    serve(host=args.host, port=args.port, timeout=args.timeout, open_browser=args.open)
    return 0


COMMANDS = {"list": cmd_list, "prove": cmd_prove, "check": cmd_check, "diff": cmd_diff, "recheck": cmd_recheck,
            "serve": cmd_serve}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        from .deep import run

        if args.command == "check":  # its worker processes are started from this thread; each file runs deep
            return cmd_check(args)
        return run(COMMANDS[args.command], args)
    except MatcalcError as e:
        print(f"matcalc: error: {e}", file=sys.stderr)
        return 2
    except RecursionError:
        print("matcalc: error: the input is too large to process (Python's recursion limit)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
