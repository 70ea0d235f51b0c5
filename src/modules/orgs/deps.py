"""Everything the organisation use cases need, handed in by `web`."""

from __future__ import annotations

from dataclasses import dataclass

from core.ports.audit import AuditLog
from core.ports.clock import Clock
from core.ports.email import EmailSender
from core.ports.unit_of_work import UnitOfWorkFactory
from modules.orgs.ports import InvitationStore, OrgStore, UserEmails

__all__ = ["OrgsDeps"]


@dataclass(frozen=True, slots=True)
class OrgsDeps:
    orgs: OrgStore
    invitations: InvitationStore
    user_emails: UserEmails
    audit: AuditLog
    email: EmailSender
    clock: Clock
    unit_of_work: UnitOfWorkFactory
    service_name: str
