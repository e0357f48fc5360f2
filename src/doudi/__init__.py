"""doudi: a city's social assistance safety net."""

__version__ = "0.1.0"
