"""Care at home and prevention (issue 10): use cases joining the store and the domain."""
