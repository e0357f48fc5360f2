"""Synthetic city generator for demos, tests and benchmarks.

``generate_city(households, seed, as_of)`` returns a ``SynthCity`` of polars
frames for a synthetic Shanghai. The people, IDs and money in it are invented,
while region codes and names are real. This package does not import Django.
"""

from doudi.synth.city import SynthCity, generate_city
from doudi.synth.regions import load_regions
from doudi.synth.truth import write_truth

__all__ = ["SynthCity", "generate_city", "load_regions", "write_truth"]
