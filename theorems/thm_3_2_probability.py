"""Theorem 3.2 "with constant probability": how likely a Gaussian initialization meets it.

Statement (our words). Initialize all six weights of Theorem 3.2's network i.i.d. N(0, 1). The
hypotheses hold up to relabelling the neurons when one neuron ``j`` has ``<w_j, x_i> > 0`` for
both inputs and ``v_j > 0`` while the other neuron ``k`` has ``<w_k, x_i> < 0`` for both. With
``K = {w : <w, x1> > 0, <w, x2> > 0}`` (an open cone of angle ``π - φ``, ``φ`` the angle between
``x1`` and ``x2``), the event is ``{w1 ∈ K, w2 ∈ -K, v1 > 0} ∪ {w2 ∈ K, w1 ∈ -K, v2 > 0}``: a
disjoint union (``K ∩ -K = ∅``) of two events of probability
``((π - φ)/2π)² · 1/2`` each (isotropy: a standard Gaussian vector in the plane lies in a cone
of angle ``β`` with probability ``β/2π``). For ``x1 = (1, 1/4)``, ``x2 = (-1, 1/4)``:
``π - φ = 2 arctan(1/4) = arctan(8/15)``, so

    P = ((π - φ) / (2π))² = (arctan(1/4) / π)² ≈ 0.006081.

The kernel (kind ``cone-probability``) recomputes this exactly from the cones as written in the
certificate (with a Gordan vector proving the two events disjoint); the closed form derived here
is compared with the kernel's value, and a Monte Carlo estimate of the same event is attached
as evidence. ``gf_monte_carlo`` (the ``symkkt`` command registered by the lead as
``cli_probability``) also runs gradient flow from random initializations (the GF module,
parallel over cores) and classifies where it ends: at the KKT point of Theorem 3.2 (one neuron
on both inputs, the other idle: not a local optimum), at two aligned neurons both active on both
inputs (every hidden input non-zero: a local, not global optimum), at one neuron per input (the
global optimum), separating but not yet at the target norm within the time budget, or without
a positive margin within the budget (often a sample with no active neuron; evidence only, not
a proof that zero loss is never reached).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Optional

import numpy as np
import sympy
import typer
from sympy import atan, pi

from symkkt.claims import Claim
from symkkt.kernel.grammar import to_text
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from . import thm_3_2

THEOREM = "3.2.P"
TITLE = "Theorem 3.2 with constant probability: Gaussian initializations meeting its hypotheses"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Theorem 3.2 holds with constant probability over a Gaussian initialization. Initialize the six
weights of Theorem 3.2's network i.i.d.\ $\mathcal{N}(0, 1)$ and let
$K = \{w : \langle w, x_1\rangle > 0,\ \langle w, x_2\rangle > 0\}$, an open cone of angle
$\pi - \varphi$, where $\varphi$ is the angle between $x_1$ and $x_2$. Up to relabelling the
neurons, the hypotheses of Theorem 3.2 hold on the disjoint union
\[ \{w_1 \in K,\ w_2 \in -K,\ v_1 > 0\} \ \cup\ \{w_2 \in K,\ w_1 \in -K,\ v_2 > 0\}, \]
whose probability is, for $x_1 = (1, \tfrac14)$ and $x_2 = (-1, \tfrac14)$,
\[ P = \Bigl(\frac{\pi - \varphi}{2\pi}\Bigr)^2
     = \Bigl(\frac{\arctan(1/4)}{\pi}\Bigr)^2 \approx 0.006081. \]
The kernel recomputes $P$ exactly from the cones written in the certificate (kind
\emph{cone-probability}, with a Gordan vector proving the two events disjoint); a Monte Carlo
estimate of the event, and gradient flow from random initializations, are evidence only.
"""

CLOSED_FORM = (atan(sympy.Rational(1, 4)) / pi) ** 2
MC_SAMPLES = 400_000
MC_SEED = 20221


def certificate() -> dict:
    """The event as cones over the six Gaussian weights (w1, w2 in R^2; v1, v2 in R)."""
    x1, x2 = thm_3_2.X
    K = [[to_text(_as_expr(c)) for c in x] for x in (x1, x2)]
    negK = [[to_text(-_as_expr(c)) for c in x] for x in (x1, x2)]
    return {
        "symkkt_certificate": 1, "kind": "cone-probability", "theorem": THEOREM,
        "variables": {"w1": 2, "w2": 2, "v1": 1, "v2": 1},
        "events": [{"w1": K, "w2": negK, "v1": [["1"]]},
                   {"w2": K, "w1": negK, "v2": [["1"]]}],
        "disjoint": [{"events": [0, 1], "variable": "w1", "gordan": ["1", "0", "1", "0"]}],
    }


def monte_carlo(n: int = MC_SAMPLES, seed: int = MC_SEED) -> dict:
    """Fraction of i.i.d. N(0, 1) initializations meeting the hypotheses (evidence only)."""
    rng = np.random.default_rng(seed)
    X = np.array([[float(v) for v in x] for x in thm_3_2.X])
    W1 = rng.standard_normal((n, 2))
    W2 = rng.standard_normal((n, 2))
    V = rng.standard_normal((n, 2))
    a1, a2 = W1 @ X.T, W2 @ X.T
    e1 = (a1 > 0).all(1) & (a2 < 0).all(1) & (V[:, 0] > 0)
    e2 = (a2 > 0).all(1) & (a1 < 0).all(1) & (V[:, 1] > 0)
    p = float((e1 | e2).mean())
    se = math.sqrt(max(p * (1 - p), 1e-300) / n)
    exact = float(CLOSED_FORM)
    return {"samples": n, "seed": seed, "estimate": p, "std_error": se,
            "closed_form_decimal": exact, "z_score": (p - exact) / se if se else None}


def claims():
    mc: dict[str, Any] = {}

    def search():
        mc.update(monte_carlo())
        return certificate(), "cones of the hypotheses, up to relabelling the neurons"

    return [Claim(THEOREM, "probability", "gaussian init", thm_3_2.instance(), search,
                  {"closed_form": sympy.sstr(CLOSED_FORM),
                   "closed_form_derivation": "((pi - angle(x1, x2)) / (2 pi))^2, "
                                             "pi - angle = 2*atan(1/4) = atan(8/15)",
                   "monte_carlo": mc})]


# ------------------------------------------------------------- gradient flow Monte Carlo


def classify(direction: dict[str, float], tol: float = 1e-3) -> str:
    """Where a (normalized) final point of GF on Theorem 3.2's data lies, by its pattern."""
    X = [[float(v) for v in x] for x in thm_3_2.X]
    neurons = []
    for j in (1, 2):
        w = np.array([direction[f"w{j}_1"], direction[f"w{j}_2"]])
        v = direction[f"v{j}"]
        size = abs(v) * float(np.linalg.norm(w))
        active = tuple(int(w @ np.array(x) > 0) for x in X)
        neurons.append((size, active, v))
    live = [n for n in neurons if n[0] > tol and n[2] > 0]
    if len(live) == 1 and live[0][1] == (1, 1):
        return "kkt-not-local"          # Theorem 3.2's point: one neuron serves both inputs
    if len(live) == 2 and all(n[1] == (1, 1) for n in live):
        return "local-not-global"       # two aligned neurons, every hidden input non-zero
    if len(live) == 2 and {n[1] for n in live} == {(1, 0), (0, 1)}:
        return "global"                 # one neuron per input
    return "other"


def _one_run(args) -> dict:
    k, seed, target_norm, max_seconds = args
    from symkkt.gf import run_gf

    rng = np.random.default_rng([seed, k])
    init = {p: float(v) for p, v in zip(thm_3_2.NETWORK.params, rng.standard_normal(6))}
    res = run_gf(thm_3_2.NETWORK, thm_3_2.X, thm_3_2.Y, init, dps=20,
                 target_norm=target_norm, max_seconds=max_seconds, max_steps=4000)
    reached = res.stop_reason == "target_norm" and res.log_loss < 0
    direction = {p: float(v) for p, v in zip(res.params, res.direction_text)}
    if reached:
        outcome = classify(direction)
    elif res.normalized_margin > 0:
        outcome = "separating-not-converged-in-budget"
    else:
        outcome = "no-zero-loss-in-budget"
    return {"init": init, "stop_reason": res.stop_reason, "outcome": outcome,
            "normalized_margin": res.normalized_margin}


def gf_monte_carlo(samples: int = 100, seed: int = 0, workers: int = 0,
                   target_norm: float = 1e4, max_seconds: float = 5.0) -> dict:
    """Run GF from ``samples`` Gaussian initializations (parallel over cores); evidence only."""
    from concurrent.futures import ProcessPoolExecutor

    workers = workers or os.cpu_count() or 1
    jobs = [(k, seed, target_norm, max_seconds) for k in range(samples)]
    if workers == 1:
        runs = [_one_run(j) for j in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            runs = list(pool.map(_one_run, jobs))
    counts: dict[str, int] = {}
    for r in runs:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    frac = {k: v / samples for k, v in counts.items()}
    p = frac.get("kkt-not-local", 0.0)
    return {"samples": samples, "seed": seed, "workers": workers, "target_norm": target_norm,
            "max_seconds_per_run": max_seconds, "counts": counts, "fractions": frac,
            "not_local_estimate": p,
            "not_local_std_error": math.sqrt(max(p * (1 - p), 0.0) / samples),
            "hypotheses_probability": float(CLOSED_FORM)}


def cli_probability(samples: int = typer.Option(100, "--samples",
                                                help="gradient-flow runs"),
                    seed: int = typer.Option(0, "--seed"),
                    workers: int = typer.Option(0, "--workers", help="processes (0: all cores)"),
                    max_seconds: float = typer.Option(5.0, "--max-seconds",
                                                      help="wall-time budget per run"),
                    json_path: Optional[Path] = typer.Option(None, "--json")) -> None:
    """Closed form, init Monte Carlo and GF Monte Carlo for Theorem 3.2's probability.

    Registered by the lead (e.g. ``symkkt probability --samples N --seed S --workers W
    --json FILE``); exit 0 iff the kernel verifies the closed form.
    """
    import json

    from rich.console import Console

    from symkkt.io import check_writable_file, write_json
    from symkkt.suite import report_json, run_suite

    samples = samples if isinstance(samples, int) else 100
    seed = seed if isinstance(seed, int) else 0
    workers = workers if isinstance(workers, int) else 0
    max_seconds = float(max_seconds) if isinstance(max_seconds, (int, float)) else 5.0
    if samples < 1 or workers < 0 or not max_seconds > 0:
        from symkkt.errors import InputError
        raise InputError("--samples must be >= 1, --workers >= 0 and --max-seconds > 0")
    json_path = json_path if isinstance(json_path, (str, Path)) else None
    if json_path is not None:
        check_writable_file(json_path, "--json")
    out = Console()
    reports = run_suite(claims())
    doc = report_json(reports)
    rep = reports[0]
    out.print(f"P(hypotheses of Theorem 3.2, up to relabelling) = "
              f"{rep.values.get('probability')} ≈ {rep.values.get('probability_decimal')} "
              f"[{rep.status}]")
    out.print("init Monte Carlo: " + json.dumps(rep.claim.extra["monte_carlo"]))
    gfmc = gf_monte_carlo(samples, seed, workers, max_seconds=max_seconds)
    out.print("gradient flow Monte Carlo: " + json.dumps(gfmc["counts"]) +
              f"  (not-local fraction {gfmc['not_local_estimate']:.4f} ± "
              f"{gfmc['not_local_std_error']:.4f})")
    doc["gf_monte_carlo"] = gfmc
    if json_path is not None:
        write_json(json_path, doc)
    raise typer.Exit(0 if rep.status == "verified" else 1)
