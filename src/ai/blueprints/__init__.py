"""Blueprints: example AI features built on `LLMClient`, to copy from (or delete).

The Lead Finder (`leads`: validated structured output) and the report generator (`reports`:
a budgeted background task). Nothing outside the blueprint folders imports them, so the
template's `with_blueprints` toggle removes them without touching the gateway.
"""
