"""The ``convergence`` fuzz property: exact convergence certificates, valid and mutated.

Per example one bundled result (Theorem 3.2; 4.1, 4.4 linear/ReLU; 5.1 with m = 3, 4,
linear/ReLU) and a random exact initialization inside the module's invariant set with
``L(θ(0)) < ℓ(0)`` (1 for exp, log 2 for logistic; decided here with mpmath at 50 digits,
independently of the kernel):

* **positive**: the kernel verifies the ``convergence`` certificate built by
  :func:`symkkt.claims.convergence_claim` from the module's invariant;
* **negative**: every applicable mutation of that certificate is *not* verified (see
  :data:`MUTATIONS` for what each one changes and why the claim cannot hold any more);
* **evidence** (about a quarter of the examples, when :mod:`symkkt.gf` is present): the
  high-precision flow from θ(0) ends within :func:`gf_tolerance` of θ̃'s direction.

Why every mutant must fail: the certificate says "θ(0) lies in ``S``, ``L(θ(0)) < ℓ(0)``,
``S`` is tangent to every piece of the flow, and θ̃ is the only KKT point of Problem 2 (margin
1) on the cone"; each mutation falsifies one of these, or (drop-positive) leaves two KKT
points. Only a wrong θ̃ (not the cone's KKT point, with the rest intact) refutes the claim;
the other mutants only break the certificate, so the kernel says ``unknown``.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import time
from dataclasses import dataclass
from typing import Any

import sympy
from hypothesis import assume
from hypothesis import strategies as st
from sympy import Integer, Rational

from ..errors import InputError
from .strategies import init_3_2, positive_rationals, rationals

__all__ = ["ConvExample", "examples", "check", "finish", "skip_reason", "MUTATIONS",
           "GF_TARGET_NORM", "GF_TARGET_NORM_4_4"]

CASES = (("3.2", "relu", 0), ("4.1", "linear", 0), ("4.1", "relu", 0), ("4.4", "linear", 0),
         ("4.4", "relu", 0), ("5.1", "linear", 3), ("5.1", "relu", 3), ("5.1", "linear", 4),
         ("5.1", "relu", 4))
"""The cases drawn, uniformly: (result, activation, depth m for 5.1)."""
LOSS_SETS = (("exp", "logistic"), ("exp",), ("logistic",))

MUTATIONS: dict[str, tuple[str, str]] = {
    # name -> (where it applies, expected verdict and why)
    "equal-off": ("4.1, 4.4, 5.1",
                  "unknown: one coordinate of a declared equal group moved to a(1 + r), "
                  "r != 0, so theta(0) is not in S"),
    "data": ("every result",
             "refuted for 3.2 x_1 = (1, 1/4 + d), d > 0 (theta~ has margins 1 + 4d and 1, "
             "not a KKT point) and 4.1 x = (1 + d, 2) (theta~'s margin is 1 + d, not a KKT "
             "point); unknown for 4.4 x_1 = 4 + d (dPhi/dw1 = c d != 0 on S: not tangent) "
             "and 5.1 x = (1, 1 + d) (dPhi/dw1_1 != dPhi/dw1_2 on S: not tangent); d != 0, "
             "same invariant"),
    "low-loss-fails": ("3.2",
                       "unknown: v1(0) scaled so the largest margin is <= 1/4, so "
                       "L(theta(0)) >= 1 > log 2 for each listed loss (with one sample L < 1 iff the "
                       "margin is > 0 (exp) or > -log(e - 1) (logistic), so only 3.2 has "
                       "such a scaling)"),
    "idle-neuron-on": ("3.2",
                       "unknown: w2(0) -> -w2(0), v2(0) -> |v2(0)| (margins only grow) "
                       "switches the declared-fixed neuron on for both inputs "
                       "(dPhi/dv2 = <w2, x_i> != 0 on S)"),
    "not-invariant": ("every result",
                      "unknown: a declared set through theta(0) that is not tangent to the "
                      "flow: 3.2 w1_1 also fixed (dPhi/dw1_1 = v1 x_i1); 4.1 fixed = [w1_2] "
                      "without w2_2 (dPhi/dw1_2 = w2_2 x_2); 4.4 without the group [v1, v2] "
                      "(dPhi/dw1 = 4 (v1 - v2)); 5.1 equal = [[w1_1, w1_2]] only (the two "
                      "paths' products differ off the diagonal)"),
    "drop-positive": ("5.1, m = 4, linear",
                      "unknown: without w1_1 > 0 the line holds two KKT points +-2^(-1/4)"),
    "point-doubled": ("every result",
                      "refuted: the claimed point 2*theta~ (feasible, right direction) has "
                      "margin 2^m, so it is not a KKT point of Problem 2"),
}

GF_TARGET_NORM = 1e6
GF_TARGET_NORM_4_4 = 1e3
"""Theorem 4.4's set is a saddle of the flow (w1 and v1 - v2 feed each other, so a transverse
perturbation grows like a power of ‖θ‖): rounding errors are amplified until the computed
flow leaves it (at dps 20 between 10^3 and 10^4 times the initial norm; at dps 30 some inits
still reach a w1 share of 5e-4 at 10^3 times). 4.4 is therefore integrated at dps 50 (no
slower: fewer rejected steps) up to ``1e3·‖θ(0)‖``, where the w1 share stays below 1e-11."""


def gf_setting(theorem: str, n0: float) -> tuple[int, float]:
    """``(dps, target norm)`` of the evidence run from an init of norm ``n0``."""
    if theorem == "4.4":
        return 50, GF_TARGET_NORM_4_4 * n0
    return 20, GF_TARGET_NORM


def gf_tolerance(theorem: str, n0: float, norm: float) -> float:
    """The direction error allowed at ``‖θ(T)‖ = norm`` from an init of norm ``n0``.

    3.2: the declared-fixed neuron keeps its initial value, so its share of the direction
    decays like ``1/‖θ‖``: ``10 (1 + ‖θ(0)‖) / ‖θ(T)‖``. 4.1, 5.1: the init lies on θ̃'s ray
    and the flow stays on it: ``1e-12`` (rounding only). 4.4: ``w2² - 2 v1²`` is conserved on
    the set (both hidden inputs are ``w2/√2 > 0``), so the error decays like
    ``‖θ‖^-2``: ``10 (1 + ‖θ(0)‖²) / ‖θ(T)‖²``.
    """
    if theorem == "3.2":
        return 10 * (1 + n0) / norm
    if theorem == "4.4":
        return 10 * (1 + n0 ** 2) / norm ** 2
    return 1e-12


GF_TOLERANCE_TEXT = ("3.2: 10 (1 + |theta(0)|) / |theta(T)| (dps 20, |theta(T)| = 1e6); "
                     "4.1, 5.1: 1e-12 (init on theta~'s ray; dps 20, 1e6); "
                     "4.4: 10 (1 + |theta(0)|^2) / |theta(T)|^2 (dps 50, "
                     "|theta(T)| = 1e3 |theta(0)|)")


@dataclass(frozen=True)
class ConvExample:
    """One drawn case: the result, the init (exact) and the mutations' parameters."""

    theorem: str
    activation: str
    m: int                  # Theorem 5.1's depth (0 otherwise)
    init: tuple             # ((name, exact value), ...)
    losses: tuple
    eq_index: int           # which coordinate of the equal group moves (mod its size)
    eq_shift: Any           # r in [-1/2, 1/2] \ {0}: the coordinate becomes a(1 + r)
    data_shift: Any         # d in [-1/4, 1/4] \ {0} (|d| for 3.2)
    low_margin: Any         # 3.2: the L >= 1 mutant's largest margin, in (0, 1/4]
    gf_loss: str | None     # run the flow with this loss, or not at all

    @property
    def init_dict(self) -> dict:
        return dict(self.init)


def skip_reason() -> str | None:
    if importlib.util.find_spec("symkkt.kernel.convergence") is None:
        return "symkkt.kernel.convergence is not present (the convergence kind has not landed)"
    from ..kernel.certificate import kinds

    if "convergence" not in kinds():
        return "the kernel has no 'convergence' checker"
    try:
        from ..claims import convergence_claim  # noqa: F401
    except ImportError as exc:
        return f"symkkt.claims.convergence_claim is missing: {exc}"
    return None


def _gf_available() -> bool:
    if importlib.util.find_spec("symkkt.gf") is None:
        return False
    try:
        return callable(getattr(importlib.import_module("symkkt.gf.flow"), "run_gf", None))
    except Exception:
        return False


# ---------------------------------------------------------------------------- the cases


def _modules():
    from theorems import thm_3_2, thm_4_1, thm_4_4, thm_5_1

    return {"3.2": thm_3_2, "4.1": thm_4_1, "4.4": thm_4_4, "5.1": thm_5_1}


def _invariant(ex: ConvExample) -> dict:
    T = _modules()[ex.theorem]
    if ex.theorem == "3.2":
        return {"fixed": ["w2_1", "w2_2", "v2"], "equal": [], "positive": []}
    inv = T.invariant(ex.m) if ex.theorem == "5.1" else T.INVARIANT
    return {"fixed": list(inv.get("fixed", [])),
            "equal": [list(g) for g in inv.get("equal", [])],
            "positive": list(inv.get("positive", []))}


def _instance(ex: ConvExample, X=None, point=None):
    from ..problems import Instance

    T = _modules()[ex.theorem]
    inst = (T.instance() if ex.theorem == "3.2" else
            T.instance(ex.activation, ex.m) if ex.theorem == "5.1" else
            T.instance(ex.activation))
    if X is None and point is None:
        return inst
    return Instance.make(inst.network, X if X is not None else inst.X, inst.Y,
                         point if point is not None else inst.point)


def _margins(ex: ConvExample, init: dict) -> list:
    """The init's margins ``y_i Φ(θ(0); x_i)`` on the theorem's data, written out by hand
    (every label is 1); 5.1 only for inits with every coordinate equal."""
    T = _modules()[ex.theorem]
    X = [tuple(v if isinstance(v, sympy.Basic) else Rational(v) for v in x) for x in T.X]
    relu = (lambda z: z if z > 0 else Integer(0)) if ex.activation == "relu" else (lambda z: z)
    if ex.theorem == "3.2":
        def phi(x):
            return (init["v1"] * relu(init["w1_1"] * x[0] + init["w1_2"] * x[1])
                    + init["v2"] * relu(init["w2_1"] * x[0] + init["w2_2"] * x[1]))
        return [phi(x) for x in X]
    if ex.theorem == "4.1":
        (x,) = X
        return [init["w2_1"] * relu(init["w1_1"] * x[0])
                + init["w2_2"] * relu(init["w1_2"] * x[1])]
    if ex.theorem == "4.4":
        (x,) = X
        w = (init["w1"], init["w2"])
        return [init["v1"] * relu(w[0] * x[0] + w[1] * x[1])
                + init["v2"] * relu(w[0] * x[2] + w[1] * x[3])]
    (x,) = X          # 5.1: every coordinate a > 0, so path k contributes a^m x_k
    return [sum(init[f"w1_{k}"] ** ex.m * x[k - 1] for k in (1, 2))]


def _loss_float(kind: str, margins) -> Any:
    """``Σ exp(-q_i)`` or ``Σ log(1 + exp(-q_i))`` with mpmath at 50 digits."""
    import mpmath

    with mpmath.workdps(50):
        qs = [mpmath.mpf(str(sympy.N(q, 60))) for q in margins]
        if kind == "exp":
            return mpmath.fsum(mpmath.exp(-q) for q in qs)
        return mpmath.fsum(mpmath.log1p(mpmath.exp(-q)) for q in qs)


def _ell0(kind: str) -> Any:
    """``ℓ(0)``: Theorem 2.1 needs ``L(θ(t0)) < ℓ(0)`` (1 for exp, log 2 for logistic)."""
    import mpmath

    with mpmath.workdps(50):
        return mpmath.mpf(1) if kind == "exp" else +mpmath.log(2)


def loss_below_ell0(margins, losses) -> bool | None:
    """True if ``L < ℓ(0)`` for every loss, False if ``L >= ℓ(0)`` for some, None if within
    1e-40 of it (not seen: equality is impossible for algebraic margins, by
    Lindemann-Weierstrass)."""
    import mpmath

    out = True
    for kind in losses:
        v, bound = _loss_float(kind, margins), _ell0(kind)
        if abs(v - bound) < mpmath.mpf(10) ** -40:
            return None
        if v >= bound:
            out = False
    return out


def loss_at_least_ell0(margins, losses) -> bool:
    return all(_loss_float(kind, margins) >= _ell0(kind) for kind in losses)


def _nonzero(lo, hi, den):
    return rationals(lo, hi, den, nonzero=True)


@st.composite
def _example(draw):
    thm, act, m = draw(st.sampled_from(CASES))
    losses = draw(st.sampled_from(LOSS_SETS))
    T = _modules()[thm]
    if thm == "3.2":
        X = [tuple(Rational(v) for v in x) for x in T.X]
        init = draw(init_3_2(tuple(X)))
        # scale v1 so the smaller margin v1 <w1, x_i> is q (neuron 2 is inactive)
        q = draw(positive_rationals(3, 4, min_value=Rational(1, 2)))
        inner = [init["w1_1"] * x[0] + init["w1_2"] * x[1] for x in X]
        init["v1"] = q / min(inner)
    elif thm == "4.1":
        a = draw(positive_rationals(3, 8))
        init = {"w1_1": a, "w1_2": Integer(0), "w2_1": a, "w2_2": Integer(0)}
    elif thm == "4.4":
        b, c = draw(positive_rationals(3, 8)), draw(positive_rationals(3, 8))
        init = {"w1": Integer(0), "w2": b, "v1": c, "v2": c}
    else:
        a = draw(positive_rationals(2, 8))
        init = {f"w{l}_{k}": a for l in range(1, m + 1) for k in (1, 2)}
    probe = ConvExample(thm, act, m, (), losses, 0, 0, 0, 0, None)
    below = loss_below_ell0(_margins(probe, init), losses)
    # always true with one sample (margin > 0); 3.2 (smaller margin in (1/2, 3]): rejected
    # when the two margins are too small together
    assume(below is True)
    d = draw(_nonzero(-Rational(1, 4), Rational(1, 4), 16))
    gf = draw(st.integers(0, 3)) == 0
    gf_loss = draw(st.sampled_from(("exp", "logistic"))) if gf else None
    return ConvExample(
        theorem=thm, activation=act, m=m, init=tuple(init.items()), losses=losses,
        eq_index=draw(st.integers(0, 63)),
        eq_shift=draw(_nonzero(-Rational(1, 2), Rational(1, 2), 8)),
        data_shift=abs(d) if thm == "3.2" else d,
        low_margin=draw(positive_rationals(Rational(1, 4), 16)) if thm == "3.2" else 0,
        gf_loss=gf_loss)


def examples(ctx: dict):
    return _example()


# ---------------------------------------------------------------------------- certificates


def _cert(ex: ConvExample, inst, init: dict, inv: dict, losses=None) -> dict:
    from ..claims import convergence_claim

    claim = convergence_claim(f"fuzz {ex.theorem}", _label(ex), inst, init,
                              fixed=inv["fixed"], equal=inv["equal"],
                              positive=inv["positive"], losses=losses or ex.losses)
    cert, _ = claim.search()
    return cert


def _label(ex: ConvExample) -> str:
    return f"{ex.theorem} {ex.activation}" + (f", m={ex.m}" if ex.m else "")


def mutants(ex: ConvExample) -> list[tuple[str, str, str, dict]]:
    """``(mutation, expected verdict, what changed, certificate)`` for every applicable
    mutation of the example's valid certificate."""
    init, inv = ex.init_dict, _invariant(ex)
    inst = _instance(ex)
    out = []
    # equal-off: one coordinate of a declared group moves off the group
    if inv["equal"]:
        grp = inv["equal"][0]
        name = grp[ex.eq_index % len(grp)]
        moved = dict(init, **{name: init[name] * (1 + ex.eq_shift)})
        out.append(("equal-off", "unknown",
                    f"{name}(0) = {init[name]} * (1 + {ex.eq_shift})",
                    _cert(ex, inst, moved, inv)))
    # data: the same invariant on perturbed inputs
    d = ex.data_shift
    X = [list(x) for x in inst.X]
    if ex.theorem == "3.2":
        X[0][1] += d
        what = f"x_1 = (1, 1/4 + {d})"
    elif ex.theorem == "4.1":
        X[0][0] += d
        what = f"x = (1 + {d}, 2)"
    elif ex.theorem == "4.4":
        X[0][0] += d
        what = f"x_1 = 4 + {d}"
    else:
        X[0][1] += d
        what = f"x = (1, 1 + {d})"
    out.append(("data", "refuted" if ex.theorem in ("3.2", "4.1") else "unknown", what,
                _cert(ex, _instance(ex, X=X), init, inv)))
    if ex.theorem == "3.2":
        inner = [init["w1_1"] * x[0] + init["w1_2"] * x[1] for x in inst.X]
        low = dict(init, v1=ex.low_margin / max(inner))
        if not loss_at_least_ell0(_margins(ex, low), ex.losses):  # a bug of this module
            raise AssertionError(f"the low-margin init {low} has L < l(0)")
        out.append(("low-loss-fails", "unknown",
                    f"v1(0) = {low['v1']}: largest margin {ex.low_margin}",
                    _cert(ex, inst, low, inv)))
        # |v2| keeps the second neuron's share of the margins >= 0: L(theta(0)) < 1 still
        on = dict(init, w2_1=-init["w2_1"], w2_2=-init["w2_2"], v2=abs(init["v2"]))
        out.append(("idle-neuron-on", "unknown", "w2(0) -> -w2(0), v2(0) -> |v2(0)|",
                    _cert(ex, inst, on, inv)))
    # not-invariant: a declared set that contains theta(0) but is not tangent to the flow
    if ex.theorem == "3.2":
        loose, what = dict(inv, fixed=inv["fixed"] + ["w1_1"]), "w1_1 declared fixed too"
    elif ex.theorem == "4.1":
        loose, what = dict(inv, fixed=["w1_2"]), "fixed = [w1_2] (w2_2 dropped)"
    elif ex.theorem == "4.4":
        loose, what = dict(inv, equal=[]), "the equal group [v1, v2] dropped"
    else:
        loose, what = dict(inv, equal=[["w1_1", "w1_2"]]), "equal = [[w1_1, w1_2]] only"
    out.append(("not-invariant", "unknown", what, _cert(ex, inst, init, loose)))
    if ex.theorem == "5.1" and ex.m == 4 and ex.activation == "linear":
        out.append(("drop-positive", "unknown", "invariant without positive",
                    _cert(ex, inst, init, dict(inv, positive=[]))))
    doubled = {p: 2 * v for p, v in inst.point.items()}
    out.append(("point-doubled", "refuted", "point = 2*theta~",
                _cert(ex, _instance(ex, point=doubled), init, inv)))
    return out


# ---------------------------------------------------------------------------- the check


def check(ex: ConvExample, state: dict, failure, budget_spent) -> None:
    """Raise ``failure(message, data)`` on a counterexample; tally the notes in ``state``."""
    start = time.perf_counter()
    try:
        _check(ex, state, failure, budget_spent)
    finally:
        secs = state.setdefault("seconds_by_case", {})
        secs[_label(ex)] = secs.get(_label(ex), 0.0) + time.perf_counter() - start


def _check(ex: ConvExample, state: dict, failure, budget_spent) -> None:
    from ..kernel.certificate import check_certificate

    init, inv = ex.init_dict, _invariant(ex)
    case = {"theorem": ex.theorem, "activation": ex.activation,
            **({"m": ex.m} if ex.m else {}), "losses": list(ex.losses)}
    by_thm = state.setdefault("examples_by_case", {})
    by_thm[_label(ex)] = by_thm.get(_label(ex), 0) + 1
    inst = _instance(ex)
    if ex.theorem == "3.2":
        T = _modules()["3.2"]
        if not T.init_meets_hypotheses(init):
            raise failure("thm_3_2.init_meets_hypotheses rejects an init built to meet the "
                          "hypotheses", {**case, "init": _jsonable_point(init)})
    # the closed-form margins used for L agree with the network's own forward pass
    net_margins = [sympy.expand(y * inst.network.output(init, x))
                   for x, y in zip(inst.X, inst.Y)]
    if any(sympy.simplify(a - b) != 0 for a, b in zip(net_margins, _margins(ex, init))):
        raise failure("the property's closed-form margins disagree with the network's "
                      "forward pass (a bug of the fuzz property)",
                      {**case, "init": _jsonable_point(init),
                       "network_margins": [str(v) for v in net_margins]})
    cert = _cert(ex, inst, init, inv)
    try:
        v = check_certificate(cert, source="fuzz convergence")
    except Exception as exc:
        raise failure(f"the kernel raised on a valid convergence certificate "
                      f"({_label(ex)}): {type(exc).__name__}: {exc}",
                      {**case, "certificate": cert}) from None
    if v.status != "verified":
        raise failure(f"a valid convergence certificate ({_label(ex)}, init in the "
                      f"invariant set, L(theta(0)) < l(0)) is {v.status}: {v.reasons[0]}",
                      {**case, "certificate": cert, "kernel": _verdict_json(v)})
    state["verified"] = state.get("verified", 0) + 1
    stats = state.setdefault("mutants", {})
    for op, expected, what, mcert in mutants(ex):
        if budget_spent(state):
            return
        s = stats.setdefault(op, {"tried": 0, "refuted": 0, "unknown": 0,
                                  "expected": expected})
        s["tried"] += 1
        try:
            mv = check_certificate(mcert, source="mutant")
        except InputError as exc:  # a rejection, but a well-formed mutant: listed
            s["input_error"] = s.get("input_error", 0) + 1
            s.setdefault("input_error_example", f"{_label(ex)}: {what}: {exc}")
            continue
        except Exception as exc:
            raise failure(f"the kernel crashed on a mutant of {_label(ex)} ({op}: {what}): "
                          f"{type(exc).__name__}: {exc}",
                          {**case, "mutation": op, "change": what,
                           "certificate": mcert}) from None
        if mv.status == "verified":
            raise failure(f"the kernel verified a mutant of {_label(ex)} that must not hold "
                          f"({op}: {what}; expected {expected})",
                          {**case, "mutation": op, "change": what, "expected": expected,
                           "certificate": mcert, "kernel": _verdict_json(mv)})
        s[mv.status] = s.get(mv.status, 0) + 1
        if mv.status != expected:
            s["unexpected_status"] = s.get("unexpected_status", 0) + 1
            s.setdefault("unexpected_example",
                         f"{_label(ex)}: {what}: {mv.status}: {mv.reasons[0]}")
    if ex.gf_loss is not None and not budget_spent(state):
        _check_gf(ex, inst, init, case, state, failure)


def _check_gf(ex, inst, init, case, state, failure) -> None:
    gf = state.setdefault("gf", {"runs": 0, "worst_error_over_tolerance": {}})
    if not _gf_available():
        gf["skipped"] = "symkkt.gf is not present"
        return
    from ..gf.flow import run_gf

    n0 = math.sqrt(sum(float(v) ** 2 for v in init.values()))
    dps, target = gf_setting(ex.theorem, n0)
    res = run_gf(inst.network, inst.X, inst.Y, init, inst.point, loss=ex.gf_loss, dps=dps,
                 target_norm=target)
    err = res.direction_error
    tol = gf_tolerance(ex.theorem, n0, res.norm)
    gf["runs"] += 1
    worst = gf["worst_error_over_tolerance"]
    if err is not None and err / tol >= worst.get(ex.theorem, 0.0):
        worst[ex.theorem] = err / tol
        gf.setdefault("worst_case", {})[ex.theorem] = {
            "case": _label(ex), "loss": ex.gf_loss, "init": _jsonable_point(init),
            "direction_error": err, "norm": res.norm}
    if err is None or not err <= tol:
        raise failure(f"gradient flow ({ex.gf_loss}, dps {dps}) from a certified init of "
                      f"{_label(ex)} ends at direction error {err} > {tol:.3g} from theta~ at "
                      f"|theta| = {res.norm:.3g}",
                      {**case, "init": _jsonable_point(init), "loss": ex.gf_loss,
                       "target": _jsonable_point(inst.point), "direction_error": err,
                       "norm": res.norm, "stop_reason": res.stop_reason})


def finish(state: dict) -> dict:
    gf = state.get("gf", {"runs": 0})
    return {"examples_by_case": state.get("examples_by_case", {}),
            "valid_certificates_verified": state.get("verified", 0),
            "mutants": state.get("mutants", {}),
            "mutations": {k: {"applies_to": a, "must": e} for k, (a, e) in MUTATIONS.items()},
            "gf": {**gf, "fraction": "examples whose drawn integer in 0..3 is 0",
                   "tolerance": GF_TOLERANCE_TEXT},
            "seconds_by_case": {k: round(v, 2) for k, v in
                                state.get("seconds_by_case", {}).items()},
            "loss_check": "L(theta(0)) < l(0) (1 for exp, log 2 for logistic) decided by the property with mpmath at 50 "
                          "digits (independently of the kernel); the init's margins are "
                          "closed forms, checked against the network's forward pass"}


def _verdict_json(v) -> dict:
    return {"status": v.status, "reasons": list(v.reasons)}


def _jsonable_point(pt: dict) -> dict:
    from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

    from ..kernel.grammar import to_text

    return {p: to_text(_as_expr(v)) for p, v in pt.items()}
