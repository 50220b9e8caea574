"""Internals of ``symkkt explore`` (issue 15): conjecture files, exact limits, instances."""
