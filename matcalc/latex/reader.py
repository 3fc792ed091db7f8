"""LaTeX formulas -> the reader's tree (``tree.py``), by recursive descent over ``tokens.py``'s tokens.

Precedence as in the language, tightest first: scripts (^T, ^{-1}, powers, a name's own scripts),
function application, unary minus, products (juxtaposition, \\cdot, \\times, \\odot, \\circ, \\otimes,
\\oslash, /: left to right), then + and -. TeX's one-token rule holds for unbraced scripts: 1^Texp(Z)
is 1ᵀ exp(Z). docs/language.md, "LaTeX input", has the table of what is read; anything else is a
one-line MatcalcError at the token. Nesting deeper than MAX_DEPTH is refused, as in the language.
"""
from __future__ import annotations

import re
from contextvars import ContextVar

from ..deep import MAX_DEPTH, deep
from ..errors import MatcalcError
from ..inference import default_of
from ..scripted import mangled
from .tokens import Token, tokens

#: Letters the document uses as symbols, not as what they spell alone (e: the error, not Euler's number).
_SYMBOLS: ContextVar[frozenset[str]] = ContextVar("symbols", default=frozenset())
from .tree import Call, Differential, Eye, Name, Node, Num, Ones, Op, Partial, line_column, walk
from .vocabulary import (BOLD, COMMANDS, FONTS, FUNCTIONS, LETTERS, OPERATORS, RELATIONS, SCRIPT_MARKS, TRANSPOSES,
                         VARIANTS, WORDS)


@deep
def read_expression(src: str) -> Node:
    """One expression (an = in it is an error)."""
    r = _Reader.of(src)
    if r.peek().kind == "end":
        raise r.error("empty formula", r.peek())
    node = r.expr()
    if r.peek().text == "=" and r.peek().kind == "char":
        raise r.error("cannot read = here: an expression, not an equation", r.peek())
    r.finish()
    return node


@deep
def read_sides(src: str, *, symbols: frozenset[str] = frozenset()) -> list[Node | None]:
    """The sides of a row of an equation, split at its = signs; None for a side left empty (a row that
    starts with = continues the previous one; one that ends with = goes on in the next). ``symbols``:
    letters the document uses as names (e, where it defines e: then e^2 is e squared, not exp(2))."""
    token = _SYMBOLS.set(symbols)
    try:
        return _sides(src)
    finally:
        _SYMBOLS.reset(token)


def _sides(src: str) -> list[Node | None]:
    r = _Reader.of(src)
    sides: list[Node | None] = []
    expecting = True
    while True:
        t = r.peek()
        if t.kind == "char" and t.text == "=":
            if expecting:
                sides.append(None)
            r.take()
            expecting = True
        elif t.kind == "end":
            if expecting:
                sides.append(None)
            break
        elif expecting:
            sides.append(r.expr())
            expecting = False
        else:
            raise r.cannot(t)
    if all(s is None for s in sides):
        raise r.error("empty formula", r.peek())
    return sides


class _Reader:
    """A cursor over the formula's tokens from ``i`` up to ``stop`` (the whole formula, or an argument or
    a script), which reads as its end; ``braces``: the index of each { token's matching }; ``closers``:
    the closing marks awaited, innermost last (")", "}", "|" of an absolute value, "‖" of a norm)."""

    def __init__(self, src: str, toks: list[Token], braces: dict[int, int], start: int, stop: int, depth: int):
        self.src, self.toks, self.braces, self.i, self.stop, self.depth = src, toks, braces, start, stop, depth
        at = toks[stop].pos
        self.end = Token("end", "", at, at)
        self.closers: list[str] = []

    @classmethod
    def of(cls, src: str) -> "_Reader":
        toks = tokens(src)
        braces, opened = {}, []
        for k, t in enumerate(toks):
            if t.kind == "char" and t.text == "{":
                opened.append(k)
            elif t.kind == "char" and t.text == "}" and opened:
                braces[opened.pop()] = k
        return cls(src, toks, braces, 0, len(toks) - 1, 0)

    # -- cursor
    def peek(self, k: int = 0) -> Token:
        return self.toks[self.i + k] if self.i + k < self.stop else self.end

    def take(self) -> Token:
        t = self.peek()
        self.i = min(self.i + 1, self.stop)
        return t

    def is_char(self, text: str, k: int = 0) -> bool:
        t = self.peek(k)
        return t.kind == "char" and t.text == text

    def error(self, message: str, tok: Token | Node) -> MatcalcError:
        return MatcalcError(message, pos=line_column(self.src, tok.pos))

    def cannot(self, t: Token) -> MatcalcError:
        if t.kind == "end":
            return self.error("unexpected end of formula", t)
        if (t.kind == "word" and t.text in RELATIONS) or (t.kind == "char" and t.text in "<>"):
            return self.error(f"cannot read {t.spelling()}: = is the only relation read", t)
        if t.kind == "char" and t.text == "[":
            return self.error("cannot read [ here: a list of entries [ … ] is not read", t)
        if t.kind == "char" and t.text == ",":
            return self.error("cannot read , here: one formula at a time", t)
        if t.kind == "char" and t.text in ")}":
            return self.error(f"unbalanced {t.text}", t)
        if t.kind == "symbol" and t.text == "\\":
            return self.error("cannot read \\\\ here: one row at a time", t)
        return self.error(f"cannot read {t.spelling()} here", t)

    def finish(self) -> None:
        if self.peek().kind != "end":
            raise self.cannot(self.peek())

    def reader(self, a: int, b: int) -> "_Reader":
        """A reader of tokens a..b-1 (an argument's or a script's), ending where token b starts."""
        return _Reader(self.src, self.toks, self.braces, a, b, self.depth)

    # -- grammar
    def expr(self) -> Node:
        node = self.product()
        while self.is_char("+") or self.is_char("-"):
            op = "add" if self.take().text == "+" else "sub"
            node = Op(node.pos, op, (node, self.product()))
        return node

    def product(self) -> Node:
        node = self.unary()
        while True:
            t = self.peek()
            op = OPERATORS.get(t.text) if t.kind in ("word", "char") else None
            if op is not None:
                self.take()
                node = Op(node.pos, op, (node, self.unary()))
            elif self.starts_factor(t):
                node = Op(node.pos, "matmul", (node, self.factor()))
            else:
                return node

    def unary(self) -> Node:
        signs: list[Token] = []
        while self.is_char("-") or self.is_char("+"):
            signs.append(self.take())
        node = self.factor()
        for s in reversed(signs):
            node = Op(s.pos, "neg", (node,)) if s.text == "-" else node
        return node

    def starts_factor(self, t: Token) -> bool:
        if t.kind in ("letter", "digit"):
            return True
        if t.kind == "char":
            return t.text in "({" or (t.text == "|" and self.closers[-1:] != ["|"]) or (
                t.text == "." and self.peek(1).kind == "digit")
        if t.kind == "symbol":
            return t.text == "|" and self.closers[-1:] != ["‖"]
        return t.kind == "word" and (t.text in _ATOMS or t.text in LETTERS or t.text in COMMANDS)

    def factor(self) -> Node:
        """An atom with its scripts, or a function applied to its argument."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"formula nested more than {MAX_DEPTH} levels deep", self.peek())
        try:
            t = self.peek()
            if not self.starts_factor(t):
                raise self.cannot(t)
            if t.kind == "word" and t.text in _ATOMS:
                return _ATOMS[t.text](self)
            if t.kind == "word" and t.text in COMMANDS:
                self.take()
                return self.call(COMMANDS[t.text], t)
            if t.kind == "word":
                return self.letter(t.text, self.take())
            if t.kind == "letter":
                return self.run()
            if t.kind == "digit" or t.text == ".":
                return self.number()
            if t.kind == "symbol" or t.text == "|":
                return self.bars()
            return self.group_scripts(self.group())
        finally:
            self.depth -= 1

    # -- atoms
    def run(self) -> Node:
        """A letter: a function word spelt from here, a differential d, or a one-letter name."""
        t = self.peek()
        word = self.word_at()
        if word is not None:
            for _ in word:
                self.take()
            return self.call(word, t)
        self.take()
        if t.text == "d" and self.differentiates():
            return Differential(t.pos, self.factor())
        return self.letter(t.text, t)

    def word_at(self) -> str | None:
        """The longest function word spelt by the adjacent letters from here, if any."""
        run = ""
        while len(run) < 8:
            t = self.peek(len(run))
            if t.kind != "letter" or (run and t.gap):
                break
            run += t.text
        return max((w for w in WORDS if run.startswith(w)), key=len, default=None)

    def differentiates(self) -> bool:
        """A d (just read) is a differential: a name or a group follows (spaces or none between: TeX
        prints d x as dx)."""
        t = self.peek()
        if t.kind == "char" and t.text in "({":
            return True
        return t.kind == "letter" or (t.kind == "word" and (t.text in LETTERS or t.text in _ATOMS or t.text in COMMANDS))

    def letter(self, base: str, t: Token, bold: bool = False) -> Node:
        """A letter (Latin, or a Greek command's name) and its scripts: I the identity, e^{x} the
        exponential, \\sigma(z) the sigmoid, else a name (its scripts part of it or operations on it)."""
        base = VARIANTS.get(base, base)
        if base == "I":
            return self.sized(Eye, t)
        if base == "sigma" and not bold:
            back = self.i
            sub, sup, primes = self.scripts()
            marks = [s for s in (sub, sup) if s is not None]
            if self.is_char("(") and all(self.kind(s) == "primes" for s in marks):
                self.i = back
                return self.call("sigmoid", t)
            self.i = back
        sub, sup, primes = self.scripts()
        if primes:
            raise self.error("cannot read ' after a name: write ^T for a transpose", primes)
        if sub is not None and self.kind(sub) == "primes":
            raise self.error(f"{t.spelling()} is not a function", t)
        kind = self.kind(sup) if sup is not None else None
        if base == "e" and not bold and sub is None and sup is not None and kind != "transpose" and \
                "e" not in _SYMBOLS.get():
            power = self.read(sup)  # e^{X} of a matrix is expm (of a 1×1 the same as exp); of scalars, exp
            matrix = any(isinstance(n, Name) and n.hint == "" for n in walk(power))
            return Call(t.pos, "expm" if matrix else "exp", (power,))
        own = sup if sup is not None and (kind == "letters" or (kind == "number" and sub is not None
                                                                and self.scripted(sup))) else None
        sub_text = self.script_name(sub) if sub is not None else ""
        sup_text = self.script_name(own) if own is not None else ""
        latex = _base_latex(base, bold) + (f"_{{{self.latex(sub)}}}" if sub else "") + (
            f"^{{{self.latex(own)}}}" if own else "")
        node = Name(t.pos, mangled(base, sub_text, sup_text), latex, _hint(base, bold, sub_text, sup_text))
        return self.operation(node, sup) if sup is not None and own is None else node

    def sized(self, cls: type[Eye] | type[Ones], t: Token) -> Node:
        """I or \\mathbf{1}, its size the subscript (I_n), and a superscript as an operation."""
        sub, sup, primes = self.scripts()
        if primes:
            raise self.error("cannot read ' here: write ^T for a transpose", primes)
        size = None
        if sub is not None:
            size = "".join(tok.text for tok in self.inside(sub))
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*|[1-9][0-9]*", size):
                raise self.error("the size of I or \\mathbf{1} is a name or a number: I_n, I_3", self.toks[sub[0]])
        node = cls(t.pos, size)
        return self.operation(node, sup) if sup is not None else node

    def number(self) -> Node:
        t, text = self.peek(), ""
        while self.peek().kind == "digit" or (self.is_char(".") and self.peek(1).kind == "digit" and "." not in text):
            text += self.take().text
        node: Node = Num(t.pos, "0" + text if text.startswith(".") else text)
        sub, sup, primes = self.scripts()
        if sub is not None or primes:
            raise self.error(f"cannot read {'_' if sub is not None else chr(39)} after a number", t)
        if sup is not None and self.kind(sup) == "transpose" and text == "1":
            return Op(t.pos, "transpose", (Ones(t.pos),))  # 1^T: the all-ones row
        return self.operation(node, sup) if sup is not None else node

    def group(self) -> Node:
        """( … ) or { … }."""
        t = self.take()
        close = ")" if t.text == "(" else "}"
        self.closers.append(close)
        if self.is_char(close):
            raise self.error(f"empty {t.text}{close}", t)
        node = self.expr()
        self.closers.pop()
        if self.is_char(","):
            raise self.error("cannot read , here: a function takes one argument", self.peek())
        if not self.is_char(close):
            raise self.error(f"unbalanced {t.text}", t) if self.peek().kind == "end" else self.cannot(self.peek())
        self.take()
        return node

    def bars(self) -> Node:
        """|x| (abs), \\|x\\| or \\lVert x \\rVert (norm: _2 or _F after it), each with its scripts."""
        t = self.take()
        norm = t.kind == "symbol" or t.text == "lVert"
        if t.text == "|" and t.kind == "char" and self.is_char("|"):
            raise self.error("cannot read || here: write \\| for a norm", t)
        node = Call(t.pos, "norm" if norm else "abs", (self.between(t, "‖" if norm else "|"),))
        if not norm:
            return self.group_scripts(node)
        sub, sup, primes = self.scripts()
        if sub is not None and self.key(sub) not in {("2",), ("F",), ("\\mathrm", "F"), ("\\text", "F")}:
            raise self.error("only the 2-norm and the Frobenius norm are read: \\|x\\|_2, \\|X\\|_F", self.toks[sub[0]])
        if primes:
            raise self.error("cannot read ' here: write ^T for a transpose", primes)
        if sub is not None and self.key(sub) == ("2",):  # the 2-norm of a vector, sqrt(x' x): of a matrix, not F
            x = node.args[0]
            node = Call(t.pos, "sqrt", (Op(t.pos, "matmul", (Op(t.pos, "transpose", (x,)), x)),))
        return self.operation(node, sup) if sup is not None else node

    def between(self, t: Token, mark: str) -> Node:
        """The expression up to the closing bar of ``t`` (| for an absolute value, ‖ for a norm)."""
        self.closers.append(mark)
        node = self.expr()
        self.closers.pop()
        close = self.peek()
        if (close.kind, close.text) not in _CLOSING[mark]:
            raise self.error(f"unbalanced {t.spelling()}", t) if close.kind == "end" else self.cannot(close)
        self.take()
        return node

    def call(self, fn: str, t: Token) -> Node:
        """A function (its word just read): derivative marks (\\sigma', \\log^{'}, \\sigma_{'}), then a
        parenthesised argument (with scripts on the result after it) or the factor that follows;
        \\log\\det X and \\log|X| are logdet."""
        sub, sup, primes = self.scripts()
        order = len(primes.text) if primes else 0
        for s in (sub, sup):
            if s is not None:
                if self.kind(s) != "primes":
                    raise self.error(f"cannot read a script on {t.spelling()}", self.toks[s[0] - 1])
                order += self.primes(s)
        if fn == "log" and not order and self.peek().kind == "word" and self.peek().text == "det":
            self.take()
            fn = "logdet"
        elif fn == "log" and not order and (self.is_char("|") or self.peek().text == "lvert"):
            bar = self.take()  # log|X| of a matrix is log det; of a scalar (no capital in it), log of its absolute value
            inside = self.between(bar, "|")
            matrix = any(isinstance(n, Name) and n.hint == "" for n in walk(inside))
            return self.group_scripts(Call(t.pos, "logdet", (inside,)) if matrix else
                                      Call(t.pos, "log", (Call(bar.pos, "abs", (inside,)),)))
        if self.is_char("("):
            return self.group_scripts(Call(t.pos, fn, (self.group(),), order))
        self.awaiting(f"{t.spelling()} needs an argument", t)
        return Call(t.pos, fn, (self.factor(),), order)

    def awaiting(self, message: str, t: Token) -> None:
        """A factor must follow ``t``: else the error ``message`` at t, or at a command not read."""
        nxt = self.peek()
        if not self.starts_factor(nxt):
            raise self.cannot(nxt) if nxt.kind == "word" else self.error(message, t)

    # -- commands
    def frac(self) -> Node:
        """\\frac{a}{b}; \\frac{\\partial u}{\\partial v} and \\frac{du}{dv} are ∂u/∂v, and so are
        \\frac{\\partial}{\\partial v} u and \\frac{d}{dv} u."""
        t = self.take()
        num, den = self.argument(t, "two arguments"), self.argument(t, "two arguments")
        if self.toks[num[0]].text == "partial" or self.toks[den[0]].text == "partial":
            for s in (num, den):
                if self.toks[s[0]].text != "partial" or self.toks[s[0]].kind != "word":
                    raise self.error("a derivative is \\frac{\\partial u}{\\partial v}: \\partial above and below", t)
                if s[1] > s[0] + 1 and self.toks[s[0] + 1].text == "^":
                    raise self.error("only first derivatives are read", self.toks[s[0] + 1])
            v = self.variable(den[0] + 1, den[1])
            u = self.product() if num[1] == num[0] + 1 else self.read((num[0] + 1, num[1]))  # (the operator: of the term)
            return Partial(t.pos, u, v)
        a, b = self.read(num), self.read(den)
        if isinstance(b, Differential) and isinstance(b.arg, Name):
            if isinstance(a, Differential):
                return Partial(t.pos, a.arg, b.arg)
            if isinstance(a, Name) and a.latex == "d":
                return Partial(t.pos, self.product(), b.arg)
        return self.group_scripts(Op(t.pos, "div", (a, b)))

    def partial(self) -> Node:
        """\\partial u / \\partial v."""
        t = self.take()
        if self.is_char("^"):
            raise self.error("only first derivatives are read", self.peek())
        u = self.factor()
        if not self.is_char("/") or self.peek(1).text != "partial":
            raise self.error("a derivative is \\partial u / \\partial v or \\frac{\\partial u}{\\partial v}", t)
        self.take()
        self.take()
        v = self.factor()
        if not isinstance(v, Name):
            raise self.error("the variable of a derivative is a name", v)
        return Partial(t.pos, u, v)

    def nabla(self) -> Node:
        """\\nabla_v u."""
        t = self.take()
        if not self.is_char("_"):
            raise self.error("\\nabla needs its variable as a subscript: \\nabla_X f", t)
        self.take()
        a, b = self.argument(t, "a variable")
        v = self.variable(a, b)
        self.awaiting("\\nabla_X needs a function after it", t)
        return Partial(t.pos, self.product(), v)  # (of the whole term that follows, up to + or -)

    def sqrt(self) -> Node:
        t = self.take()
        if self.is_char("["):
            raise self.error("only square roots are read", self.peek())
        return self.group_scripts(Call(t.pos, "sqrt", (self.read(self.argument(t, "an argument")),)))

    def font(self) -> Node:
        """\\operatorname{w}, \\mathrm{w}, \\text{w}, \\mathsf{w}: a function word, d (a differential) or a
        letter; \\mathit{w}: a name."""
        t = self.take()
        a, b = self.argument(t, "an argument")
        inside = self.inside((a, b))
        word = "".join("_" if tok.kind == "symbol" and tok.text == "_" else tok.text for tok in inside)
        readable = all(tok.kind in ("letter", "digit") or tok.text == "_" for tok in inside) and not any(
            tok.gap for tok in inside[1:])
        if not readable or not word:
            raise self.error(f"cannot read {self.written(t, b)} here", t)
        if t.text == "mathit":
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", word):
                raise self.error(f"cannot read {self.written(t, b)} as a name", t)
            return Name(t.pos, word, f"\\mathit{{{word}}}", default_of(word))
        if word in FUNCTIONS:
            return self.call(FUNCTIONS[word], t)
        if word == "d":
            if not self.differentiates():
                raise self.error(f"{self.written(t, b)} needs what it is the differential of", t)
            return Differential(t.pos, self.factor())
        if len(word) == 1 and word.isalpha():
            return self.letter(word, t)
        raise self.error(f"unknown function {self.written(t, b)}", t)

    def bold(self) -> Node:
        """\\mathbf{x}, \\boldsymbol{\\theta}, \\bm, \\vec: a name (a column if lowercase); \\mathbf{1} (also
        \\mathbb{1}) the all-ones column, \\mathbf{I} the identity, \\mathbf{0} zero."""
        t = self.take()
        a, b = self.argument(t, "an argument")
        inside = self.inside((a, b))
        one = inside[0] if len(inside) == 1 else None
        if one is not None and one.kind == "digit" and one.text in "01":
            return self.sized(Ones, t) if one.text == "1" else Num(t.pos, "0")
        if t.text != "mathbb" and one is not None and (one.kind == "letter" or (one.kind == "word" and one.text in LETTERS)):
            return self.letter(one.text, t, bold=True)
        raise self.error(f"cannot read {self.written(t, b)}: one letter in bold", t)

    # -- scripts
    def scripts(self) -> tuple[tuple[int, int] | None, tuple[int, int] | None, Token | None]:
        """The subscript and superscript after an atom (as token spans), and its primes (one token
        whose text is every ' after it), in either order; a second one is an error, as in TeX."""
        sub = sup = None
        primes: Token | None = None
        while True:
            t = self.peek()
            if t.kind == "char" and t.text == "'":
                self.take()
                primes = Token("char", (primes.text if primes else "") + "'", primes.pos if primes else t.pos, t.end)
            elif t.kind == "char" and t.text in "_^":
                if (sub if t.text == "_" else sup) is not None:
                    raise self.error(f"double {'subscript' if t.text == '_' else 'superscript'}: use braces", t)
                self.take()
                span = self.argument(t, "an argument")
                sub, sup = (span, sup) if t.text == "_" else (sub, span)
            else:
                break
        if primes is not None and sup is not None:
            raise self.error("cannot read both ' and a superscript here", primes)
        return sub, sup, primes

    def argument(self, t: Token, what: str) -> tuple[int, int]:
        """The span of one TeX argument after ``t``: a braced group's inside, or one token (with its own
        arguments for \\mathsf{T}, \\frac12), as token indices [a, b)."""
        first = self.peek()
        if first.kind == "char" and first.text == "{":
            j = self.braces.get(self.i, self.stop)
            if j >= self.stop:
                raise self.error("unbalanced {", first)
            if j == self.i + 1:
                raise self.error(f"{t.spelling()} needs {what}: {{}} is empty", first)
            a, self.i = self.i + 1, j + 1
            return a, j
        if first.kind == "end" or (first.kind == "char" and first.text in "}^_=)"):
            raise self.error(f"{t.spelling()} needs {what}", t)
        if first.kind == "char" and first.text == "(":
            raise self.error(f"{t.spelling()} needs braces around more than one token: {t.spelling()}{{…}}", first)
        a = self.i
        self.take()
        if first.kind == "word" and first.text in _TAKES:
            for _ in range(_TAKES[first.text]):
                self.argument(first, "an argument")
        return a, self.i

    def inside(self, span: tuple[int, int]) -> list[Token]:
        return self.toks[span[0]:span[1]]

    def key(self, span: tuple[int, int]) -> tuple[str, ...]:
        """A span's tokens as spelt, braces left out: ("\\mathsf", "T") for ^{\\mathsf{T}}."""
        return tuple(t.spelling() for t in self.inside(span) if not (t.kind == "char" and t.text in "{}"))

    def primes(self, span: tuple[int, int]) -> int:
        return len(self.key(span))

    def kind(self, span: tuple[int, int]) -> str:
        """What a superscript says: "transpose", "inverse", "inverse transpose" (^{-T}), "primes", "circ" (an entrywise power),
        "letters" (a name's script: letters, digits, Greek, + - , and brackets), or "number" (an exponent)."""
        a, b = span
        key = self.key(span) if b - a <= 6 else ()
        if key in TRANSPOSES:
            return "transpose"
        if key == ("-", "1"):
            return "inverse"
        if key[:1] == ("-",) and key[1:] in TRANSPOSES:
            return "inverse transpose"
        if key and all(k in ("'", "\\prime") for k in key):
            return "primes"
        if self.toks[a].spelling() == "\\circ":
            return "circ"
        if self.scripted(span) and any(self.toks[k].kind in ("letter", "word") for k in range(a, b)):
            return "letters"
        if self.scripted(span) and self.toks[a].text in "([" and self.toks[b - 1].text in ")]":
            return "letters"  # a^{(1)}, W^{[2]}: a layer's index, part of the name
        return "number"

    def scripted(self, span: tuple[int, int]) -> bool:
        """Every token of a span may be part of a name's script."""
        return all(_in_script(self.toks[k]) for k in range(*span))

    def script_name(self, span: tuple[int, int]) -> str:
        """A script as part of a language name: letters and digits, Greek spelt out, + as p, - as m."""
        out = ""
        for t in self.inside(span):
            if not _in_script(t):
                raise self.error(f"cannot read {t.spelling()} in a name's script", t)
            out += VARIANTS.get(t.text, t.text) if t.kind != "char" else SCRIPT_MARKS.get(t.text, "")
        if not out:
            raise self.error("a name's script needs a letter or a digit", self.toks[span[0]])
        return out

    def latex(self, span: tuple[int, int]) -> str:
        """A script as canonical LaTeX (a space only after a command, before a letter)."""
        out, after_word = "", False
        for t in self.inside(span):
            s = t.spelling()
            out += (" " if after_word and s[0].isalpha() else "") + s
            after_word = t.kind == "word"
        return out

    def written(self, t: Token, b: int) -> str:
        """The source from ``t`` to the end of its argument, which ends before token b (or at it: a brace)."""
        last = self.toks[b] if self.toks[b].kind == "char" and self.toks[b].text == "}" else self.toks[b - 1]
        return self.src[t.pos:last.end]

    def read(self, span: tuple[int, int]) -> Node:
        """A span read as an expression, to its end."""
        r = self.reader(*span)
        node = r.expr()
        r.finish()
        return node

    def variable(self, a: int, b: int) -> Name:
        """Tokens a..b-1 as a name: the variable of a derivative."""
        if a >= b:
            raise self.error("a derivative needs its variable", self.toks[a - 1])
        r = self.reader(a, b)
        v = r.factor()
        if not isinstance(v, Name):
            raise self.error("the variable of a derivative is a name", v)
        r.finish()
        return v

    def operation(self, node: Node, sup: tuple[int, int]) -> Node:
        """A superscript on ``node`` as an operation: ^T, ^{-1}, ^{-T}, ^{\\circ k}, or a power ^2, ^{\\frac12}, ^{k}."""
        kind = self.kind(sup)
        at = self.toks[sup[0]]
        if kind == "transpose":
            return Op(node.pos, "transpose", (node,))
        if kind in ("inverse", "inverse transpose"):
            inverse = Op(node.pos, "inverse", (node,))
            return inverse if kind == "inverse" else Op(node.pos, "transpose", (inverse,))
        if kind == "primes":
            raise self.error("cannot read ' here: write ^T for a transpose", at)
        if kind == "circ":
            if sup[1] == sup[0] + 1:
                raise self.error("an entrywise power needs its exponent: ^{\\circ 2}", at)
            return Op(node.pos, "epower", (node, self.read((sup[0] + 1, sup[1]))))
        return Op(node.pos, "power", (node, self.read(sup)))

    def group_scripts(self, node: Node) -> Node:
        """The scripts after a group or a function's value: a superscript is an operation."""
        sub, sup, primes = self.scripts()
        if sub is not None:
            raise self.error("cannot read a subscript here", self.toks[sub[0] - 1])
        if primes:
            raise self.error("cannot read ' here: write ^T for a transpose", primes)
        return self.operation(node, sup) if sup is not None else node


def _in_script(t: Token) -> bool:
    """A token that may be part of a name's script."""
    return t.kind in ("letter", "digit") or (t.kind == "word" and t.text in LETTERS) or (
        t.kind == "char" and t.text in SCRIPT_MARKS)


def _base_latex(base: str, bold: bool) -> str:
    command = "\\" + base if base in LETTERS else base
    return (f"\\boldsymbol{{{command}}}" if base in LETTERS else f"\\mathbf{{{base}}}") if bold else command


def _hint(base: str, bold: bool, sub: str, sup: str) -> str:
    """The shape a name's spelling suggests: a capital a matrix (""); bold lowercase a column; a subscript
    makes an entry (a scalar); a superscript alone a layer's vector (a column); a lowercase Greek letter
    or \\ell alone a scalar, a lowercase Latin letter alone a column."""
    if base[0].isupper():
        return ""
    if bold:
        return "column"
    if sub:
        return "scalar"
    return "column" if sup or base not in LETTERS else "scalar"


#: The tokens that close an absolute value's bars and a norm's.
_CLOSING = {"|": {("char", "|"), ("word", "rvert")}, "‖": {("symbol", "|"), ("word", "rVert")}}
#: Commands that read as atoms, by their reader method.
_ATOMS = {"frac": _Reader.frac, "tfrac": _Reader.frac, "dfrac": _Reader.frac, "partial": _Reader.partial,
          "nabla": _Reader.nabla, "sqrt": _Reader.sqrt, "lVert": _Reader.bars, "lvert": _Reader.bars,
          **{f: _Reader.font for f in FONTS}, **{b: _Reader.bold for b in BOLD}}
#: Commands that take arguments, with how many (for a script written without braces: ^\\mathsf{T}).
_TAKES = {"frac": 2, "tfrac": 2, "dfrac": 2, **{f: 1 for f in FONTS}, **{b: 1 for b in BOLD}}
