"""Parsers for every input format: JSON API, CSV, LCPS datafeeds, reference data."""
