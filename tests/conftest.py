"""Test-suite configuration.

Hypothesis runs under symkkt's ``ci`` profile (few examples, no deadline, no example
database), registered by :mod:`symkkt.fuzz`, derandomized here; ``symkkt fuzz --profile
thorough`` is the long run.
"""

from hypothesis import settings

import symkkt.fuzz  # noqa: F401  (registers the "ci" and "thorough" profiles)

# The suite is a gate: derandomized, so a run is reproducible (the same examples every time).
# Exploration with fresh examples is `symkkt fuzz` and `symkkt fuzz --profile thorough`.
settings.register_profile("tests", parent=settings.get_profile("ci"), derandomize=True)
settings.load_profile("tests")
