"""The command line: list, prove, check, diff. Errors are one line on stderr, exit 2.

Heavy modules (the parser, the engine, rich) are imported inside the commands that
need them, so `matcalc --help` and `matcalc list` start fast.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from . import __version__
from .errors import MatcalcError

FORMATS = ("rich", "plain", "latex", "markdown", "json")


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line and exit status 2."""

    def error(self, message):
        self.exit(2, f"matcalc: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="matcalc", description="Derive gradients of scalar functions of matrices "
                                "with the trace trick, step by step, and check them independently.")
    p.add_argument("--version", action="version", version=f"matcalc {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    lst = sub.add_parser("list", help="the catalog of proofs")
    lst.add_argument("--format", choices=("rich", "plain", "json"))

    def common(q, formats=FORMATS):
        q.add_argument("--format", choices=formats, help="output format (default: rich on a terminal, else plain)")
        q.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")

    prove = sub.add_parser("prove", help="derive and check every claim of a catalog proof")
    prove.add_argument("name", help="catalog proof name, or a path to a proof file")
    prove.add_argument("--standalone", action="store_true", help="with --format latex: a whole document")
    common(prove)

    chk = sub.add_parser("check", help="check every claim in proof files or folders")
    chk.add_argument("paths", nargs="+", metavar="PATH")
    common(chk)

    diff = sub.add_parser("diff", help="derive a gradient ad hoc")
    diff.add_argument("expr", help='the scalar f, e.g. "tr(A * X)"')
    diff.add_argument("--wrt", required=True, help="the symbol to differentiate by")
    diff.add_argument("--sym", action="append", default=[], metavar="NAME=SHAPE", help='e.g. "X=matrix(m,n)"')
    diff.add_argument("--fn", action="append", default=[], metavar="NAME=KIND", help='e.g. "sigma=elementwise"')
    diff.add_argument("--let", action="append", default=[], metavar="NAME=EXPR", help='e.g. "z=W*x+b"')
    diff.add_argument("--assume", action="append", default=[], metavar="EQUALITY", help='e.g. "sum(Y) = 1"')
    diff.add_argument("--gradient", help="a claimed gradient to check as well")
    diff.add_argument("--standalone", action="store_true", help="with --format latex: a whole document")
    common(diff)
    return p


def _format(args) -> str:
    if args.format:
        return args.format
    return "rich" if sys.stdout.isatty() and not os.environ.get("NO_COLOR") else "plain"


def _emit_rich(renderable) -> None:
    from .printers.terminal import console

    console().print(renderable)


def cmd_list(args) -> int:
    from .proof_catalog import entries

    items = entries()
    fmt = _format(args)
    if fmt == "json":
        sys.stdout.write(json.dumps({"matcalc": __version__, "proofs": [
            {"group": e.group, "name": e.name, "title": e.title, "source": e.source, "claims": e.claims}
            for e in items]}, ensure_ascii=False, indent=2) + "\n")
        return 0
    lines, group = [], None
    for e in items:
        if e.group != group:
            group = e.group
            lines.append(f"{group}:")
        lines.append(f"  {e.name:<26} {e.claims:>2} claim{'s' if e.claims != 1 else ' '}  {e.title}"
                     + (f"  [{e.source}]" if e.source else ""))
    lines.append(f"{len(items)} proofs, {sum(e.claims for e in items)} claims")
    if fmt == "rich":
        from rich.markup import escape
        _emit_rich("\n".join(f"[bold]{escape(l)}[/]" if not l.startswith(" ") else escape(l) for l in lines))
    else:
        sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _print_proof(fmt: str, proof, reports, standalone: bool) -> None:
    header = f"{proof.title}" + (f"  ({proof.source})" if proof.source else "")
    if proof.assume:
        header += "\nassuming " + ", ".join(str(a) for a in proof.assume)
    if fmt == "json":
        from .printers import json_out
        sys.stdout.write(json_out.proof(proof.name, proof.title, proof.source, reports))
    elif fmt == "latex":
        from .printers import latex
        sys.stdout.write(latex.proof(proof.title, proof.source, reports, standalone=standalone))
    elif fmt == "markdown":
        from .printers import markdown
        sys.stdout.write(markdown.proof(proof.title, proof.source, reports))
    elif fmt == "rich":
        from .printers import terminal
        _emit_rich(terminal.proof(reports, header))
    else:
        from .printers import plain
        sys.stdout.write(plain.proof(proof.title, reports, header))


def _exit_status(reports) -> int:
    if any(r.verdict == "error" for r in reports):
        return 2
    return 0 if all(r.ok for r in reports) else 1


def cmd_prove(args) -> int:
    from pathlib import Path

    from .proof_catalog import find
    from .prooffile import load
    from .report import run_proof

    path = Path(args.name) if args.name.endswith(".toml") else find(args.name)
    proof = load(path)
    reports = run_proof(proof, seed=args.seed)
    _print_proof(_format(args), proof, reports, args.standalone)
    return _exit_status(reports)


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise MatcalcError(f"--{what} takes NAME=VALUE, got {item!r}")
        if name.strip() in out:
            raise MatcalcError(f"--{what}: {name.strip()!r} is declared twice")
        out[name.strip()] = value.strip()
    return out


def cmd_diff(args) -> int:
    from .prooffile import ProofFile, make_claim, make_scope, parse_assumption
    from .report import run_claim

    scope = make_scope(_pairs(args.sym, "sym"), _pairs(args.fn, "fn"), _pairs(args.let, "let"))
    assume = tuple(parse_assumption(a, scope) for a in args.assume)
    claim = make_claim(1, args.expr, args.wrt, args.gradient, scope)
    proof = ProofFile("diff", f"d/d{args.wrt} of {args.expr}", "", "<command line>", scope, assume, (claim,))
    report = run_claim(proof, claim, seed=args.seed)
    if report.error:
        raise MatcalcError(report.error)
    fmt = _format(args)
    if fmt == "json":
        from .printers import json_out
        obj = json_out.derivation_object(report)
        if args.gradient is not None:
            obj.update(claimed=json_out.claim_object(report)["claimed"], counterexample=json_out.claim_object(report)["counterexample"])
        sys.stdout.write(json_out.dumps(obj))
    else:
        _print_proof(fmt, proof, [report], args.standalone)
    return _exit_status([report])


def cmd_check(args) -> int:
    from .check_files import check_paths, summarize

    reports = check_paths(args.paths, seed=args.seed)
    summary = summarize(reports)
    fmt = _format(args)
    if fmt == "json":
        from .printers import json_out
        sys.stdout.write(json_out.check_results(reports, summary))
    elif fmt == "rich":
        from .printers import terminal
        _emit_rich(terminal.check_results(reports, summary))
    else:
        from .printers import plain
        sys.stdout.write(plain.check_results(reports, summary))
    return _exit_status(reports)


COMMANDS = {"list": cmd_list, "prove": cmd_prove, "check": cmd_check, "diff": cmd_diff}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except MatcalcError as e:
        print(f"matcalc: error: {e}", file=sys.stderr)
        return 2
    except RecursionError:
        print("matcalc: error: expression nested too deeply", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
