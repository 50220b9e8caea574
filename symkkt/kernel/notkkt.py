"""Kernel checker for ``not-kkt`` certificates: the point is provably not a KKT point.

Two ways, both decided exactly:

* the point is **infeasible**: some constraint ``y_i Φ(θ; x_i) >= 1`` fails (no field needed);
* a **Farkas vector** ``z`` (field ``farkas``: parameter -> exact number, over the problem's
  free parameters) with ``<z, θ> < 0`` and ``<z, y_i g> >= 0`` for every active sample ``i``
  (``y_i Φ_i = 1``) and every gradient ``g`` of every smooth piece whose pattern agrees with the
  strict signs of the hidden pre-activations at θ (the pattern of a neuron whose input is
  exactly 0 ranges over both values).

Why the second is a proof. KKT needs ``θ = Σ_i λ_i y_i g_i`` with ``λ_i >= 0``, ``λ_i = 0`` off
the active set, and ``g_i`` in the Clarke subdifferential of ``Φ(·; x_i)`` (restricted to the
free parameters for Problem 4). Near θ every pre-activation that is non-zero at θ keeps its
sign, and at almost every nearby point Φ coincides with one of the piece polynomials above, so
the Clarke subdifferential is contained in the convex hull of those pieces' gradients at θ
(Clarke's gradient formula, ignoring the null set where some pre-activation vanishes without
vanishing identically). Then ``<z, θ> = Σ λ_i <z, y_i g_i> >= 0``, contradicting
``<z, θ> < 0``. The pattern set used is a superset of the adjacent pieces, which only makes
the check stronger.

Two reductions keep the check polynomial where they apply (both exact):

* a **dead** neuron (every non-zero outgoing weight at θ feeds a dead neuron; the output
  neuron is never dead; e.g. an idle neuron) has back-propagated signal ``δ = 0`` in every
  piece, and when its input is 0 at θ its output is 0 whichever its bit: its bit changes no
  piece gradient, so it is fixed to 0 (:func:`dead_neurons`);
* with **one hidden layer**, a piece gradient is affine in the bits (``∂Φ/∂w_jk = b_j v_j
  x_k``, ``∂Φ/∂v_j = b_j <w_j, x>``), so ``f(b) = <z, y g_b>`` is affine on the cube and its
  minimum over all ``2^z`` patterns is ``f(b0) + Σ_j min(0, f(b0 + e_j) - f(b0))`` (``b0``:
  every zero input off): ``z + 1`` patterns are evaluated, not ``2^z``.

Otherwise every pattern over the remaining zero inputs is evaluated, at most
``MAX_ZERO_INPUTS`` of them per sample.
"""

from __future__ import annotations

import itertools

import sympy

from .certificate import (Reader, Failed, Invalid, Refuted, failed_verdict, Unknown, Verdict, decide, norm2, problem_layer,
                          register_checker, txt)

__all__ = ["MAX_ZERO_INPUTS", "dead_neurons"]

MAX_ZERO_INPUTS = 12
"""At most this many hidden inputs whose bit matters may be exactly 0 on one active sample
of a network with two or more hidden layers (2^12 patterns)."""


def dead_neurons(net, theta) -> set[tuple[int, int]]:
    """Hidden neurons ``(l, j)`` (0-based) whose every non-zero outgoing weight at θ feeds a
    dead neuron (none for the output): by induction from the top their ``δ`` is 0 in every
    piece."""
    dead: set[tuple[int, int]] = set()
    hidden = net.depth - 1
    for l in range(hidden - 1, -1, -1):
        for j in range(net.hidden_widths[l]):
            if all(n is None or decide(theta[n]) == 0 or (l + 1 < hidden and (l + 1, i) in dead)
                   for i, row in enumerate(net.layers[l + 1]) for n in [row[j]]):
                dead.add((l, j))
    return dead


@register_checker("not-kkt")
def _check_not_kkt(rd: Reader, cert: dict) -> Verdict:
    net = rd.network(cert["network"])
    X, Y = rd.data(cert["data"])
    theta = rd.point(cert["point"], net)
    layer = problem_layer(rd, cert, net)
    free = net.params if layer is None else net.layer_params(layer)
    raw = cert.get("farkas")   # its keys are free parameters of the problem (schema)
    z = None
    if raw is not None:
        z = {p: rd.number(raw[p]) if p in raw else sympy.Integer(0)
             for p in free}
    values = {"norm2": txt(norm2(theta, net.params))}
    if layer is not None:
        values["layer_norm2"] = txt(norm2(theta, free))
    try:
        active = []
        for i, (x, y) in enumerate(zip(X, Y)):
            m = sympy.expand(y * net.output(theta, x))
            s = decide(m - 1)
            if s < 0:
                return Verdict("verified", (f"the point is infeasible: constraint {i + 1} has "
                                            f"y*Phi = {txt(m)} < 1, so it is not a KKT point",),
                               values)
            if s == 0:
                active.append(i)
        if z is None:
            raise Invalid("the point is feasible and the certificate gives no Farkas vector")
        zt = sympy.expand(sum((z[p] * theta[p] for p in free), sympy.Integer(0)))
        values["farkas_dot_point"] = txt(sympy.radsimp(zt))
        if decide(zt) >= 0:
            raise Invalid(f"<z, theta> = {txt(zt)} is not negative")
        pieces = 0
        dead = dead_neurons(net, theta) if net.activation == "relu" else set()
        affine = net.depth == 2
        for i in active:
            x = X[i]
            signs = net.signs(theta, x)
            zeros = [(l, j) for l, lay in enumerate(signs) for j, s in enumerate(lay)
                     if s == 0 and (l, j) not in dead]
            base = [[1 if s > 0 else 0 for s in lay] for lay in signs]
            if net.activation == "linear":
                flips = [()]
            elif affine:
                flips = [()] + [(zj,) for zj in zeros]
            else:
                if len(zeros) > MAX_ZERO_INPUTS:
                    raise Unknown(f"sample {i + 1}: {len(zeros)} hidden inputs whose bit "
                                  f"matters are exactly 0; more than {MAX_ZERO_INPUTS} is "
                                  f"beyond this checker")
                flips = [tuple(zj for zj, b in zip(zeros, bits) if b)
                         for bits in itertools.product((0, 1), repeat=len(zeros))]
            vals = []
            for on in flips:
                pat = [list(r) for r in base]
                for (l, j) in on:
                    pat[l][j] = 1
                pat = tuple(tuple(r) for r in pat)
                g = net.piece_gradient(theta, x, pat)
                v = sympy.expand(Y[i] * sum((z[p] * g[p] for p in free), sympy.Integer(0)))
                if decide(v) < 0:
                    raise Invalid(f"sample {i + 1}, pattern {[list(r) for r in pat]}: "
                                  f"<z, y*g> = {txt(v)} < 0")
                vals.append(v)
                pieces += 1
            if affine and len(flips) > 2:
                # the minimum of the affine f over the cube: every bit whose flip lowers f, on
                drops = [d for d in (sympy.expand(v - vals[0]) for v in vals[1:])
                         if decide(d) < 0]
                low = sympy.expand(vals[0] + sum(drops, sympy.Integer(0)))
                if decide(low) < 0:
                    raise Invalid(f"sample {i + 1}: <z, y*g> = {txt(low)} < 0 on the pattern "
                                  f"with every zero input whose flip lowers it switched on")
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", (f"no KKT multipliers exist: <z, theta> < 0 while <z, y_i g> >= 0 "
                                f"for every piece gradient of the {len(active)} active "
                                f"constraint(s) ({pieces} evaluated; a superset of the Clarke "
                                f"subdifferentials)",),
                   values)
