"""What the LaTeX reader knows by name: function words and commands, fonts, Greek letters, operators,
the spellings of a transpose, and the relations it refuses (docs/language.md, "LaTeX input")."""
from __future__ import annotations

from .. import ops
from ..axes import SPELT_OUT
from ..language import GREEK
from ..scripted import LETTERLIKE, SPELT

#: Function words read without a backslash in a run of letters (the longest one that starts there).
WORDS = ("log", "exp", "tr", "det", "logdet", "diag", "softmax", "sigmoid", "vec", "sum", "sin", "cos", "tanh", "relu")
#: Function commands and their language names.
COMMANDS = {"log": "log", "ln": "log", "exp": "exp", "det": "det", "sin": "sin", "cos": "cos", "tan": "tan",
            "tanh": "tanh", "tr": "tr", "Tr": "tr", "trace": "tr", "diag": "diag"}
#: Words of \\operatorname{…}, \\mathrm{…}, \\text{…}: every one-argument function of the language, and these.
ALIASES = {"Tr": "tr", "trace": "tr", "ReLU": "relu", "ln": "log"}
FUNCTIONS = {**{n: n for n, op in ops.SPELLINGS.items() if op.kind in (ops.CALL, ops.ENTRYWISE)},
             **{n: n for n in SPELT_OUT}, **ALIASES}
#: Commands whose argument is a word (\\mathit{…}: a name), and bold ones (a vector's name, \\mathbf{1}).
FONTS = ("operatorname", "mathrm", "text", "textrm", "mathsf", "mathit")
BOLD = ("mathbf", "boldsymbol", "bm", "vec", "mathbb")
#: Greek variants read as their letter.
VARIANTS = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varrho": "rho", "varsigma": "sigma",
            "varpi": "pi"}
LETTERS = frozenset(GREEK) | frozenset(LETTERLIKE) | frozenset(VARIANTS)
#: Product operators and their Op.
OPERATORS = {"cdot": "matmul", "times": "matmul", "*": "matmul", "odot": "hadamard", "circ": "hadamard",
             "otimes": "kron", "oslash": "ediv", "/": "div"}
#: A transpose's superscript, spelt without its braces.
TRANSPOSES = {("T",), ("\\top",), ("\\intercal",), ("\\mathsf", "T"), ("\\mathrm", "T"), ("\\text", "T")}
#: Relations refused at the top of a formula (= is the only one read).
RELATIONS = frozenset("le leq ge geq lt gt approx neq ne equiv sim simeq propto to rightarrow Rightarrow implies "
                      "iff Leftrightarrow mapsto in subset".split())
#: Characters of a name's script besides letters and digits (+ and - spelt, the others dropped).
SCRIPT_MARKS = {**SPELT, ",": "", "(": "", ")": "", "[": "", "]": ""}
