"""``symkkt gf ID``: run the high-precision gradient flow of one result and show it.

Registered by the main CLI as ``app.command("gf")(gf)``. For every gradient-flow run the
theorem module declares (``gf_runs()``; ``--label`` picks one), it integrates the rescaled
flow with a progress bar, prints a summary table, and optionally writes the JSON (with the
trajectory) and a plot like the paper's Figure 1. If the module can decide its hypotheses on
the initialization (Theorem 3.2's ``init_meets_hypotheses``) and the init violates them, the
output says so: the run is then no evidence for the theorem.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..errors import InputError
from .flow import LOSSES, MIN_DPS, GFResult, run_gf
from .suite import hypotheses_check, init_json, runs_for

__all__ = ["gf", "parse_init", "plot_runs"]

_out = Console()
_err = Console(stderr=True)


def parse_init(text: str) -> dict[str, Fraction]:
    """``"w2_1=1/10, v1=-0.5"`` -> exact Fractions (no eval: ``fractions.Fraction`` only)."""
    out: dict[str, Fraction] = {}
    for i, part in enumerate(p.strip() for p in text.split(",")):
        if not part:
            continue
        name, eq, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name.isidentifier() or not value:
            raise InputError(f"--init: item {i + 1} {part!r} must look like name=value")
        try:
            out[name] = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise InputError(f"--init: {name}={value!r} is not a number like 3, -1/10 or "
                             f"0.25") from None
    if not out:
        raise InputError("--init is empty")
    return out


def _fmt(x: Any, spec: str = ".3e") -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return format(x, spec) if math.isfinite(x) else str(x)
    return str(x)


def gf(
    result_id: str = typer.Argument(..., help="result id, e.g. 3.2"),
    loss: str = typer.Option("exp", "--loss", help="exp or logistic"),
    dps: int = typer.Option(30, "--dps", help="decimal digits (>= 15)"),
    target_norm: float = typer.Option(1e12, "--target-norm", help="stop at this ‖θ‖"),
    json_path: Optional[Path] = typer.Option(None, "--json", help="write the runs as JSON"),
    plot: Optional[Path] = typer.Option(None, "--plot", help="write a PNG like Figure 1"),
    label: Optional[str] = typer.Option(None, "--label", help="only the run with this label"),
    init: Optional[str] = typer.Option(None, "--init",
                                       help="override init values: name=value,..."),
) -> None:
    """Run the high-precision gradient flow of a result towards its KKT point."""
    import theorems

    from ..io import check_distinct, check_writable_file, write_json

    if loss not in LOSSES:
        raise InputError(f"--loss={loss!r} must be one of {', '.join(LOSSES)}")
    if dps < MIN_DPS:
        raise InputError(f"--dps={dps} must be at least {MIN_DPS}")
    if not target_norm > 0 or not math.isfinite(target_norm):
        raise InputError(f"--target-norm={target_norm} must be a positive number")
    if json_path is not None:
        check_writable_file(json_path, "--json")
    if plot is not None:
        check_writable_file(plot, "--plot")
    check_distinct(json=json_path, plot=plot)
    theorems.load(result_id)  # unknown id -> InputError
    runs = runs_for(result_id)
    if not runs:
        raise InputError(f"result {result_id} declares no gradient-flow run")
    if label is not None:
        labels = [r["label"] for r in runs]
        runs = [r for r in runs if r["label"] == label]
        if not runs:
            raise InputError(f"--label={label!r}: result {result_id} has runs "
                             f"{', '.join(map(repr, labels))}")
    override = parse_init(init) if init is not None else {}
    prepared = []
    for run in runs:
        params = run["instance"].network.params
        unknown = [k for k in override if k not in params]
        if unknown:
            raise InputError(f"--init: unknown parameter(s) {', '.join(unknown)} "
                             f"(the network has {', '.join(params)})")
        prepared.append({**run, "init": {**run["init"], **override}})

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    docs, results = [], []
    for run in prepared:
        inst, init_values = run["instance"], run["init"]
        ok = hypotheses_check(result_id, init_values)
        if ok is False:
            hyp = getattr(theorems.load(result_id), "HYPOTHESES", "the theorem's hypotheses")
            _out.print(f"[bold yellow]warning:[/] {result_id}/{run['label']}: the init violates "
                       f"the hypotheses of Theorem {result_id} ({hyp}); this run is no "
                       f"evidence for the theorem", highlight=False)
        rho_span = [None]
        with Progress(TextColumn(f"{result_id}/{run['label']} ({loss})"), BarColumn(),
                      TextColumn("‖θ‖ = {task.fields[norm]}"), TimeElapsedColumn(),
                      console=_err, transient=True, disable=not _err.is_terminal) as prog:
            task = prog.add_task("", total=1.0, norm="-")

            def on_step(smp, prog=prog, task=task):
                if rho_span[0] is None:
                    rho_span[0] = smp.log_norm
                lo, hi = rho_span[0], math.log(target_norm)
                frac = 1.0 if hi <= lo else (smp.log_norm - lo) / (hi - lo)
                prog.update(task, completed=min(max(frac, 0.0), 1.0),
                            norm=f"{math.exp(min(smp.log_norm, 700)):.3g}")

            res = run_gf(inst.network, inst.X, inst.Y, init_values, inst.point, loss=loss,
                         dps=dps, target_norm=target_norm, callback=on_step)
        results.append((run, res))
        doc = {"label": run["label"], "init": init_json(init_values),
               "target": init_json(dict(inst.point)), "activation": inst.network.activation,
               "depth": inst.network.depth, "gf": res.to_json(trajectory=True)}
        if ok is not None:
            doc["init_meets_hypotheses"] = ok
        docs.append(doc)

    table = Table(title=f"gradient flow, result {result_id} ({loss} loss, {dps} digits)")
    table.add_column("")
    for (run, _), doc in zip(results, docs):
        name = run["label"]
        if doc.get("init_meets_hypotheses") is False:
            name += "\n[yellow](init violates the hypotheses)[/]"
        table.add_column(name, overflow="fold")
    mono = {True: "[green]yes[/]", False: "[red]no[/]", None: "- (L >= 1)"}
    rows = [
        ("‖θ‖", lambda r: _fmt(r.norm)),
        ("direction error ‖θ/‖θ‖ − θ̃/‖θ̃‖‖", lambda r: _fmt(r.direction_error)),
        ("log L", lambda r: _fmt(r.log_loss)),
        ("log t (real time)", lambda r: _fmt(r.log_time)),
        ("normalized margin min yΦ/‖θ‖^m", lambda r: _fmt(r.normalized_margin, ".15g")),
        ("normalized margin non-decreasing", lambda r: mono[r.margin_nondecreasing]),
        ("steps (rejected)", lambda r: f"{r.steps} ({r.rejected})"),
        ("right-side evaluations", lambda r: str(r.rhs_evals)),
        ("seconds (CPU)", lambda r: f"{r.seconds:.2f} ({r.cpu_seconds:.2f})"),
        ("stopped by", lambda r: r.stop_reason),
    ]
    for name, get in rows:
        table.add_row(name, *[get(res) for _, res in results])
    _out.print(table)
    if plot is not None:
        plot_runs(result_id, results, plot)
        _out.print(f"plot written to {plot}")
    if json_path is not None:
        write_json(json_path, {"theorem": result_id, "loss": loss, "dps": dps,
                               "target_norm": target_norm, "runs": docs})
        _out.print(f"JSON written to {json_path}")


def _is_two_layer_fc(net) -> bool:
    if net.depth != 2 or net.has_sharing:
        return False
    return all(all(n is not None for n in row) for row in net.layers[0]) and \
        all(n is not None for n in net.layers[1][0])


def plot_runs(result_id: str, results: list[tuple[dict, GFResult]], path: Path) -> None:
    """A PNG like the paper's Figure 1 (Agg backend, nothing shown on screen).

    For a depth-2 fully-connected network: the per-neuron vectors ``u_j = v_j w_j``,
    normalized by ``‖θ‖²`` (their directions; Figure 1's picture), and ``‖u_j‖`` against
    ``log t``. For every run: the direction error and the normalized margin against ``‖θ‖``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fc = [(run, res) for run, res in results if _is_two_layer_fc(run["instance"].network)]
    ncols = 2 + (2 if fc else 0)
    fig, axes = plt.subplots(1, ncols, figsize=(4.6 * ncols, 4.2))
    col = 0
    if fc:
        ax_plane, ax_norm = axes[0], axes[1]
        col = 2
        for run, res in fc:
            net = run["instance"].network
            idx = {p: i for i, p in enumerate(res.params)}
            rows, vs = net.layers[0], net.layers[1][0]
            for j, (row, vname) in enumerate(zip(rows, vs), start=1):
                pts, norms, lts = [], [], []
                for smp in res.trajectory:
                    d = smp.direction
                    uj = [d[idx[vname]] * d[idx[w]] for w in row]   # u_j / ‖θ‖²
                    pts.append(uj)
                    nrm = math.sqrt(sum(v * v for v in uj))
                    if smp.log_time is not None and smp.log_time > 0 and nrm > 0:
                        lts.append(smp.log_time)
                        norms.append(math.log10(nrm) + 2 * smp.log_norm / math.log(10))
                if len(row) >= 2:
                    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                    line, = ax_plane.plot(xs, ys, "-", label=f"u{j}/‖θ‖² ({run['label']})")
                    ax_plane.annotate("", xy=(xs[-1], ys[-1]), xytext=(0, 0),
                                      arrowprops=dict(arrowstyle="->", color=line.get_color()))
                    ax_plane.plot(xs[0], ys[0], "o", color=line.get_color(), ms=4)
                if lts:
                    ax_norm.plot(lts, norms, label=f"u{j} ({run['label']})")
        ax_plane.set_title("u_j = v_j w_j, normalized by ‖θ‖²")
        ax_plane.axhline(0, color="0.8", lw=0.6)
        ax_plane.axvline(0, color="0.8", lw=0.6)
        ax_plane.set_xlabel("first coordinate")
        ax_plane.set_ylabel("second coordinate")
        ax_plane.legend(fontsize=7)
        ax_norm.set_xscale("log")
        ax_norm.set_xlabel("log t (real time)")
        ax_norm.set_ylabel("log10 ‖u_j‖")
        ax_norm.set_title("per-neuron growth")
        ax_norm.legend(fontsize=7)
    ax_err, ax_margin = axes[col], axes[col + 1]
    for run, res in results:
        tag = f"{run['label']} ({res.loss})"
        floor = 10.0 ** (-res.dps)
        xs = [math.exp(min(s.log_norm, 700)) for s in res.trajectory]
        errs = [max(s.direction_error, floor) for s in res.trajectory
                if s.direction_error is not None]
        if errs:
            ax_err.plot(xs[:len(errs)], errs, ".-", ms=3, label=tag)
        ax_margin.plot(xs, [s.normalized_margin for s in res.trajectory], ".-", ms=3, label=tag)
        inst = run["instance"]
        target_margin = 1.0 / float(inst.norm2) ** (inst.network.depth / 2)
        ax_margin.axhline(target_margin, color="0.5", ls="--", lw=0.8)
    ax_err.set_xscale("log")
    ax_err.set_yscale("log")
    ax_err.set_xlabel("‖θ‖")
    ax_err.set_ylabel("‖θ/‖θ‖ − θ̃/‖θ̃‖‖")
    ax_err.set_title(f"direction error, result {result_id}")
    ax_err.legend(fontsize=7)
    ax_margin.set_xscale("log")
    ax_margin.set_xlabel("‖θ‖")
    ax_margin.set_ylabel("min_i y_i Φ_i / ‖θ‖^m")
    ax_margin.set_title("normalized margin (dashed: 1/‖θ̃‖^m, the limit's)")
    ax_margin.legend(fontsize=7)
    fig.tight_layout()
    from io import BytesIO

    from ..io import write_atomic

    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    write_atomic(path, buf.getvalue())
