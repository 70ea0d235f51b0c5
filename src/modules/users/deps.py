"""Everything the user and organisation use cases need, handed in by `web`."""

from __future__ import annotations

from dataclasses import dataclass

from core.ports.audit import AuditLog
from core.ports.clock import Clock
from core.ports.email import EmailSender
from core.ports.unit_of_work import UnitOfWorkFactory
from modules.users.ports import InvitationStore, OrgStore, UserDirectory

__all__ = ["UsersDeps"]


@dataclass(frozen=True, slots=True)
class UsersDeps:
    users: UserDirectory
    orgs: OrgStore
    invitations: InvitationStore
    audit: AuditLog
    email: EmailSender
    clock: Clock
    unit_of_work: UnitOfWorkFactory
    service_name: str
