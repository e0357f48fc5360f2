"""Cycle stages of the monitoring app."""
