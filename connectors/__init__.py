"""Connectors: shared machinery for reading and staging received data; one module per source in sources/."""
