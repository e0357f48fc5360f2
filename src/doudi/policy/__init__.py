"""Policy parameters and the rules engine of the assistance schemes.

Parameters are dated, sourced values of each city's assistance rules. The
engine (``assess``, ``assess_one``) applies the rules of every scheme to
household and person tables, and ``explain`` renders its trace as sentences
in Chinese or English. Plain Python with no Django import, so rule engines
and simulations can use it anywhere. See docs/policy-parameters.md for the
parameter file format and docs/policy-engine.md for the engine.
"""

from doudi.policy.engine import Assessment, assess, assess_one
from doudi.policy.explain import explain
from doudi.policy.inputs import InputError, InputTables, Scheme, validate_tables
from doudi.policy.parameters import (
    DEFAULT_DIRECTORY,
    ParameterFileError,
    ParameterNotFound,
    ParameterValue,
    PolicyParameters,
    Precision,
    Quality,
    Unit,
)

__all__ = [
    "DEFAULT_DIRECTORY",
    "Assessment",
    "InputError",
    "InputTables",
    "ParameterFileError",
    "ParameterNotFound",
    "ParameterValue",
    "PolicyParameters",
    "Precision",
    "Quality",
    "Scheme",
    "Unit",
    "assess",
    "assess_one",
    "explain",
    "validate_tables",
]
