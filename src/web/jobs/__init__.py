"""Job wiring for the composition root: the runtime and the core registrars.

`web.features.default_job_runtime` adds every feature's registrars to these.
"""

from web.jobs.registrations import REGISTRARS
from web.jobs.runtime import JobRegistrar, JobRuntime, build_job_runtime

__all__ = ["REGISTRARS", "JobRegistrar", "JobRuntime", "build_job_runtime"]
