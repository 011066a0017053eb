"""Print the layer graph of ``kraan`` as a Mermaid diagram (docs/architecture.md).

    .venv/bin/python docs/layers.py

Uses grimp, the import-graph library import-linter is built on (installed with the
``dev`` extra), so the picture and the contracts in ``make test`` read the same graph.
"""

from __future__ import annotations

import grimp

LAYERS = ("api", "web", "cli", "services", "ingest", "store", "domain")


def layer_edges() -> list[tuple[str, str]]:
    graph = grimp.build_graph("kraan")
    edges = set()
    for source in LAYERS:
        for target in LAYERS:
            if source != target and graph.find_matching_direct_imports(
                import_expression=f"kraan.{source}.** -> kraan.{target}.**"
            ):
                edges.add((source, target))
    return sorted(edges, key=lambda e: (LAYERS.index(e[0]), LAYERS.index(e[1])))


def main() -> None:
    print("```mermaid\ngraph TD")
    for source, target in layer_edges():
        print(f"  {source} --> {target}")
    print("```")


if __name__ == "__main__":
    main()
