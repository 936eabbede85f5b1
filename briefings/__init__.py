"""The offline compiler: seed documents in, one deterministic catalog of briefings out.

Nothing here imports ``telegram``; every stage is plain functions over the frozen
dataclasses of :mod:`briefings.model`, so tests can call each stage directly.
"""
