"""AI blueprints to copy from: the Lead Finder and the report generator (needs the ai feature)."""

from web.blueprints import LeadFinderController, register_blueprint_jobs
from web.features import Feature

FEATURE = Feature(
    name="blueprints",
    routes=(LeadFinderController,),
    jobs=(register_blueprint_jobs,),
)
