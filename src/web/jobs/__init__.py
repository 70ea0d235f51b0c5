"""Job wiring for the composition root: the runtime and the registrars features add to."""

from web.jobs.registrations import REGISTRARS, default_job_runtime
from web.jobs.runtime import JobRegistrar, JobRuntime, build_job_runtime

__all__ = [
    "REGISTRARS",
    "JobRegistrar",
    "JobRuntime",
    "build_job_runtime",
    "default_job_runtime",
]
