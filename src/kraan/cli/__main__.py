"""``python -m kraan.cli``."""

from kraan.cli import main

main()
