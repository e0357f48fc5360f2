"""Policy parameters: dated, sourced values of each city's assistance rules.

Plain Python with no Django import, so rule engines and simulations can use it
anywhere. See docs/policy-parameters.md for the file format.
"""

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
    "ParameterFileError",
    "ParameterNotFound",
    "ParameterValue",
    "PolicyParameters",
    "Precision",
    "Quality",
    "Unit",
]
