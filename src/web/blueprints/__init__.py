"""The AI blueprints over HTTP: the Lead Finder route and the report generator's task kind."""

from web.blueprints.controller import LeadFinderController
from web.blueprints.jobs import register_blueprint_jobs

__all__ = ["LeadFinderController", "register_blueprint_jobs"]
