"""Help requests and the chain: the staff-help ladder, bottleneck signals, ELV scale-up
orders and the IC stockpiles (issue 14, docs/requests.md). Pure: plain values in and out."""
