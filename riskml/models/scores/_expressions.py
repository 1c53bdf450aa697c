"""The small formula language of published-model files: one term, one line of arithmetic.

A term is written as the paper prints it, e.g. ``"(min(sbp, 110) - 110) / 20"`` or
``"log(age) * log(total_chol)"``. The text is parsed with :mod:`ast` and only a
whitelist is accepted: numbers, the names of inputs and earlier terms, ``+ - * /``,
``**`` with a number as exponent, one comparison (``<``, ``<=``, ``>``, ``>=``,
``==``, ``!=``, giving 0/1; a category input may only be compared with one of its
levels in quotes, ``sex == "M"``) and the functions ``log`` (natural), ``exp``,
``min(x, y)``, ``max(x, y)`` (elementwise) and ``bin(x, [cut, ...])`` (the category index
0..k of ``x`` among ascending cut points, each cut the lower bound of its category).
Nothing is ever passed to :func:`eval`.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Formula", "FormulaError", "NonPositiveLogError", "parse_formula"]

_FUNCTIONS = ("log", "exp", "min", "max", "bin")
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_HELP = (
    "A term is arithmetic on input and term names: numbers, + - * /, ** with a number, "
    'one comparison (0/1; a category only as name == "level"), log(x), exp(x), '
    "min(x, y), max(x, y) (elementwise), bin(x, [cuts])."
)


class FormulaError(ValueError):
    """A term's formula that the language does not accept (the message says why)."""


class NonPositiveLogError(ValueError):
    """``log`` of a value <= 0 while evaluating a term (the model names the rows)."""

    def __init__(self, mask: np.ndarray):
        super().__init__("log of a value <= 0")
        self.mask = mask


@dataclass(frozen=True)
class Formula:
    """A parsed term: its text, the names it reads and the checked syntax tree."""

    text: str
    names: frozenset
    tree: ast.expr

    def evaluate(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """The term for every row; ``values`` maps each name to an array (or a level array)."""
        out = _evaluate(self.tree, values)
        return np.asarray(out, dtype=float)


def parse_formula(text, *, numbers: set, categories: Mapping[str, tuple]) -> Formula:
    """Parse and check a term's formula.

    Parameters
    ----------
    text : str
    numbers : set of str
        Names with numeric values (numeric and flag inputs, earlier terms).
    categories : mapping
        Category inputs and their levels.

    Raises
    ------
    FormulaError
        Naming the construct or name that is not accepted, and what is.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise FormulaError(f"a term must be a formula (text) or a number; got {text!r}. {_HELP}")
    text = str(text)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as error:
        raise FormulaError(f"{text!r} is not a formula ({error.msg}). {_HELP}") from None
    names: set = set()
    _check(tree, text, numbers, categories, names)
    return Formula(text=text, names=frozenset(names), tree=tree)


def _constant(node) -> float | None:
    """The number a node is (``-2.5`` included), or None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _constant(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    return None


def _check(node, text, numbers, categories, names) -> None:  # noqa: C901 - one case per node
    def refuse(what):
        raise FormulaError(f"{text!r}: {what} is not allowed. {_HELP}")

    if _constant(node) is not None:
        return
    if isinstance(node, ast.Name):
        if node.id in categories:
            refuse(
                f"the category {node.id!r} outside a comparison (write {node.id} == "
                f'"{categories[node.id][0]}")'
            )
        if node.id not in numbers:
            raise FormulaError(
                f"{text!r} reads {node.id!r}, which is neither an input nor an earlier term; "
                f"known names: {sorted(numbers | set(categories))}."
            )
        names.add(node.id)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, text, numbers, categories, names)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        if isinstance(node.op, ast.Pow) and _constant(node.right) is None:
            refuse("a power whose exponent is not a number")
        _check(node.left, text, numbers, categories, names)
        _check(node.right, text, numbers, categories, names)
    elif isinstance(node, ast.Compare):
        if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
            refuse("a chained comparison or an 'in'/'is' test")
        left, right = node.left, node.comparators[0]
        if isinstance(left, ast.Name) and left.id in categories:
            _check_level(left.id, right, node.ops[0], text, categories)
            names.add(left.id)
        else:
            _check(left, text, numbers, categories, names)
            _check(right, text, numbers, categories, names)
    elif isinstance(node, ast.Call):
        _check_call(node, text, numbers, categories, names)
    else:
        refuse(f"the construct {type(node).__name__}")


def _check_level(name, right, op, text, categories) -> None:
    levels = categories[name]
    if not isinstance(op, (ast.Eq, ast.NotEq)):
        raise FormulaError(f"{text!r}: the category {name!r} can only be tested with == or !=.")
    if not (isinstance(right, ast.Constant) and isinstance(right.value, str)):
        raise FormulaError(
            f'{text!r}: compare the category {name!r} with a level in quotes, e.g. {name} == "'
            f'{levels[0]}".'
        )
    if right.value not in levels:
        raise FormulaError(
            f"{text!r}: {right.value!r} is not a level of {name!r}; its levels are {list(levels)}."
        )


def _check_call(node, text, numbers, categories, names) -> None:
    function = node.func.id if isinstance(node.func, ast.Name) else None
    if function not in _FUNCTIONS or node.keywords:
        raise FormulaError(
            f"{text!r}: the function {ast.unparse(node.func)!r} is not allowed; use one of "
            f"{list(_FUNCTIONS)} (positional arguments only). {_HELP}"
        )
    arity = 1 if function in ("log", "exp") else 2
    if len(node.args) != arity:
        raise FormulaError(f"{text!r}: {function}() takes {arity} argument(s).")
    _check(node.args[0], text, numbers, categories, names)
    if function in ("min", "max"):
        _check(node.args[1], text, numbers, categories, names)
    if function == "bin":
        cuts = node.args[1]
        values = [_constant(c) for c in getattr(cuts, "elts", [])]
        if not isinstance(cuts, ast.List) or not values or None in values:
            raise FormulaError(f"{text!r}: bin(x, [cut, ...]) needs a list of numbers.")
        if any(b <= a for a, b in zip(values, values[1:], strict=False)):
            raise FormulaError(f"{text!r}: the cut points of bin() must increase.")


def _evaluate(node, values):  # noqa: C901 - one case per node kind
    constant = _constant(node)
    if constant is not None:
        return constant
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = _evaluate(node.operand, values)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, values), _evaluate(node.right, values))
    if isinstance(node, ast.Compare):
        right = node.comparators[0]
        right = right.value if isinstance(right, ast.Constant) else _evaluate(right, values)
        result = _COMPARE[type(node.ops[0])](_evaluate(node.left, values), right)
        return np.asarray(result, dtype=float)
    function, args = node.func.id, node.args
    x = np.asarray(_evaluate(args[0], values), dtype=float)
    if function == "log":
        bad = x <= 0
        if np.any(bad):
            raise NonPositiveLogError(np.broadcast_to(bad, np.shape(x)))
        return np.log(x)
    if function == "exp":
        return np.exp(x)
    if function in ("min", "max"):
        other = np.asarray(_evaluate(args[1], values), dtype=float)
        return np.minimum(x, other) if function == "min" else np.maximum(x, other)
    cuts = np.array([_constant(c) for c in args[1].elts])
    return np.searchsorted(cuts, x, side="right").astype(float)
