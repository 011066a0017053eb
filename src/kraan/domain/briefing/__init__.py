"""The weekly "Hand aan de Kraan" briefing as a document model (seed 000).

Pure: the service layer hands in plain figures (each with the API query that
produced it); these modules arrange them into sections, derive the decisions
asked this week, and compare two weeks. Rendering (HTML, Markdown, PDF) and
language live in the adapters.
"""

from kraan.domain.briefing.model import (
    Briefing,
    Cell,
    Decision,
    Figure,
    Section,
    Source,
    Table,
)

__all__ = ["Briefing", "Cell", "Decision", "Figure", "Section", "Source", "Table"]
