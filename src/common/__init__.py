"""Layer 2: msgspec Structs shared across layers, ids, the system clock, small helpers."""
