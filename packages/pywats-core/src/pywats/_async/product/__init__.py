"""The Product domain: products, revisions, BOMs, vendors and product groups."""
