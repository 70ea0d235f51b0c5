"""The feature registry: every feature is one declaration in this package.

Each module here declares `FEATURE = Feature(...)`: the routes, job registrars, CLI commands,
settings section, container adapters (`install`) and migration branch the feature brings.
The app, the worker and the CLI assemble themselves from `FEATURES`, which is every module
found here; so removing a feature is deleting its folders and its declaration, nothing else
(that is what the template's toggles do).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.ports.clock import Clock
from core.settings import Settings, SettingsSection, load_settings
from infra.container import Container, build_container
from web.jobs import REGISTRARS, JobRegistrar, JobRuntime, build_job_runtime

__all__ = [
    "FEATURES",
    "Feature",
    "build_app_container",
    "default_job_runtime",
    "discover",
    "install_features",
    "load_app_settings",
]


@dataclass(frozen=True, kw_only=True)
class Feature:
    name: str
    """Unique among the features (`bulkhead new module` refuses a taken one)."""
    routes: Sequence[Any] = ()
    """Litestar controllers and route handlers, mounted by the app factory."""
    jobs: Sequence[JobRegistrar] = ()
    """Registrars: job handlers, event subscribers and periodic jobs (see web.jobs)."""
    commands: Sequence[str] = ()
    """`bulkhead` CLI commands and groups, as `module:attribute` (loaded by `web.cli.main`,
    which itself needs this registry)."""
    settings: type[SettingsSection] | None = None
    """The feature's own settings, read at boot with the core settings."""
    install: Callable[[Container], None] | None = None
    """Adds the feature's adapters to the container (`container.services`, probes, closers)."""
    migrations: str | None = None
    """The feature's Alembic branch label (its migrations hang off `0001` on their own)."""


def discover() -> tuple[Feature, ...]:
    """Every `FEATURE` declared in this package, by name."""
    features: list[Feature] = []
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        declared = importlib.import_module(f"{__name__}.{module.name}").FEATURE
        if not isinstance(declared, Feature):
            raise TypeError(f"{__name__}.{module.name}.FEATURE is not a Feature")
        features.append(declared)
    return tuple(sorted(features, key=lambda feature: feature.name))


def load_app_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """The core settings and every installed feature's section."""
    sections = [feature.settings for feature in FEATURES if feature.settings is not None]
    return load_settings(environ, env_file=env_file, sections=sections)


def install_features(container: Container) -> Container:
    """Add every feature's adapters to `container` (once; a second call changes nothing)."""
    for feature in FEATURES:
        if feature.name in container.features:
            continue
        if feature.install is not None:
            feature.install(container)
        container.features.add(feature.name)
    return container


def build_app_container(settings: Settings, *, clock: Clock | None = None) -> Container:
    """The composition root: the core container with every feature installed."""
    return install_features(build_container(settings, clock=clock))


def default_job_runtime(container: Container) -> JobRuntime:
    """The runtime with the core jobs and every feature's (what the app and worker use)."""
    feature_registrars = [job for feature in FEATURES for job in feature.jobs]
    return build_job_runtime(container, [*REGISTRARS, *feature_registrars])


FEATURES: tuple[Feature, ...] = discover()
"""Last in the module: declarations import commands that import the functions above."""
