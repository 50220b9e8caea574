"""The compiled interval evaluator encloses exactly what the tree-walking one does."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symkkt.kernel.budget import OutOfTime, budget
from symkkt.kernel.exact import _context, _Domain, interval_eval
from symkkt.kernel.ieval import compile_interval, compiled

x, y = sympy.symbols("x y", real=True)

LEAVES = st.sampled_from([x, y, sympy.Integer(2), sympy.Rational(-3, 7), sympy.pi, sympy.E,
                          sympy.Integer(0)])


def _exprs():
    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(lambda t: t[0] + t[1]),
            st.tuples(children, children).map(lambda t: t[0] * t[1]),
            st.tuples(children, st.integers(-3, 4)).map(lambda t: t[0] ** t[1]),
            st.tuples(children, st.sampled_from([sympy.Rational(1, 2), sympy.Rational(-1, 3),
                                                 x])).map(lambda t: t[0] ** t[1]),
            children.map(sympy.sin), children.map(sympy.cos), children.map(sympy.exp),
            children.map(sympy.log),
        )
    return st.recursive(LEAVES, extend, max_leaves=6)


def _both(e, env, prec=96):
    """Both evaluators' results; ``None`` when one takes over 2 s (towers such as
    ``exp(exp(exp(x)))**4`` make mpmath slow: such draws say nothing about equality)."""
    ctx = _context(prec)
    out = []
    for fn in (lambda: interval_eval(e, ctx, env), lambda: compile_interval(e)(ctx, env)):
        try:
            with budget(2):
                v = fn()
            out.append(("ok", str(v.a), str(v.b)))
        except OutOfTime:
            return None
        except _Domain:
            out.append(("domain",))
        except (OverflowError, ZeroDivisionError, ValueError) as exc:
            out.append(("error", type(exc).__name__))
    return out


@settings(max_examples=300, deadline=None)
@given(_exprs(), st.fractions(-3, 3, max_denominator=8), st.fractions(0, 1, max_denominator=8))
def test_same_enclosure_as_the_tree_walk(e, lo, width):
    ctx = _context(96)
    env = {x: ctx.mpf([ctx.mpf(lo.numerator) / lo.denominator,
                       ctx.mpf((lo + width).numerator) / (lo + width).denominator]),
           y: ctx.mpf(2)}
    got = _both(e, env)
    assume(got is not None)
    a, b = got
    assert a == b, e


def test_shared_subexpressions_are_evaluated_once():
    s = sympy.sqrt(x + 1)
    e = s * s + s ** 3 + sympy.exp(s)
    prog = compile_interval(e)
    distinct = {ins for ins in prog.code}
    assert len(prog.code) == len(distinct)
    ctx = _context(64)
    v = prog(ctx, {x: ctx.mpf([1, 2])})
    w = interval_eval(e, ctx, {x: ctx.mpf([1, 2])})
    assert (v.a, v.b) == (w.a, w.b)


def test_refusals_match():
    ctx = _context(64)
    for e in (1 / x, sympy.sqrt(x), sympy.log(x), x ** sympy.Rational(1, 3),
              sympy.Float(1.5) * x, sympy.I * x):
        with pytest.raises(_Domain):
            interval_eval(e, ctx, {x: ctx.mpf([-1, 1])})
        with pytest.raises(_Domain):
            compile_interval(e)(ctx, {x: ctx.mpf([-1, 1])})
    with pytest.raises(_Domain):
        compile_interval(x + y)(ctx, {x: ctx.mpf(1)})     # y is free


def test_deep_expressions_do_not_recurse():
    e = x
    for k in range(3000):
        e = sympy.Add(e, sympy.Integer(k), evaluate=False) if k % 2 else sympy.Mul(
            e, sympy.Rational(k + 1, k + 2), evaluate=False)
    ctx = _context(64)
    v = compile_interval(e)(ctx, {x: ctx.mpf(1)})
    assert v.a <= v.b


def test_constants_follow_the_precision():
    prog = compiled(sympy.Rational(1, 3) * x)
    lo = prog(_context(53), {x: _context(53).mpf(1)})
    hi = prog(_context(400), {x: _context(400).mpf(1)})
    assert hi.b - hi.a < lo.b - lo.a          # tighter at higher precision
    assert lo.a <= sympy.Rational(1, 3) <= lo.b
