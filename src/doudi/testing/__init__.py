"""Helpers that several apps' tests share and that are not pytest fixtures."""
