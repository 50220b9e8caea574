"""Test-suite configuration.

Hypothesis runs under symkkt's ``ci`` profile (few examples, no deadline, no example
database), registered by :mod:`symkkt.fuzz`; ``symkkt fuzz --profile thorough`` is the long run.
"""

from hypothesis import settings

import symkkt.fuzz  # noqa: F401  (registers the "ci" and "thorough" profiles)

settings.load_profile("ci")
