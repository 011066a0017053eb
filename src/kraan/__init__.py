"""Kraan: care-capacity coordination in an epidemic surge."""

__version__ = "0.1.0"
