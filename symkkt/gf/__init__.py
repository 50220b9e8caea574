"""High-precision gradient flow (evidence, never a verdict).

Public API
----------
``run_gf(network, X, Y, init, target=None, *, loss="exp", dps=30, target_norm=1e12,
target_direction_error=None, sigma_prime_zero=0, max_steps=2000, max_seconds=None,
rtol=None, atol=None, callback=None) -> GFResult``
    Integrates gradient flow from ``init`` (dict name -> number) in a private mpmath
    context until ``‖θ‖ = target_norm``, as the rescaled flow ``dθ/ds = −∇L/L`` in
    (direction, log-norm) coordinates with a stiff extrapolation integrator; see
    :mod:`symkkt.gf.flow` for the method, accuracy and precision limits. ``target`` is the
    exact point θ̃ whose direction is measured. Bad arguments raise
    :class:`~symkkt.errors.InputError`.
``GFResult``
    Frozen: ``direction_error``, ``norm``, ``log_loss``, ``log_time``, ``normalized_margin``,
    ``margin_nondecreasing``, ``steps``, ``rhs_evals``, ``seconds``, ``cpu_seconds``, ``dps``,
    ``loss``, … and ``trajectory`` (a tuple of :class:`GFSample`, one per accepted step);
    ``to_json(trajectory=True)``.
:func:`symkkt.gf.suite.attach_gf`
    Adds a ``"gf"`` object (exponential loss) to the reports of ``symkkt verify``.
:func:`symkkt.gf.cli.gf`
    The ``symkkt gf ID`` command (progress bar, summary table, ``--json``, ``--plot``).

Theorem modules declare their runs with ``gf_runs()`` (label, instance, init) and may
decide their hypotheses on an init exactly with ``init_meets_hypotheses(init)``.
"""

from .flow import LOSSES, MIN_DPS, GFResult, GFSample, run_gf

__all__ = ["LOSSES", "MIN_DPS", "GFResult", "GFSample", "run_gf"]
