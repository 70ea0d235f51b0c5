"""Layer 1: settings, the error hierarchy, generic ports, security primitives, logging."""
