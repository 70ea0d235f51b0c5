"""Generic ports: one `typing.Protocol` per file; `infra` implements them."""
