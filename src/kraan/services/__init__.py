"""Application services: each use case calls the store for data and the domain for logic."""
