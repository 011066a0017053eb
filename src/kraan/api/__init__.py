"""FastAPI JSON API."""
