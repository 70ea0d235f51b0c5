"""Invitations by email: a single-use token that expires, accepted by the invited address."""

from __future__ import annotations

from common.audit import record_audit
from common.emails import is_valid_email, normalize_email
from common.ids import new_id
from common.principal import Principal
from common.request_meta import RequestMeta
from core.errors import AuthenticationError, FieldError, InputError, PermissionDeniedError
from core.logging import get_logger
from core.ports.email import EmailDeliveryError, EmailMessage
from core.security.secrets import generate_token, hash_token
from modules.orgs._errors import forbidden, org_not_found
from modules.orgs.deps import OrgsDeps
from modules.orgs.models import Invitation, Membership, NewInvitation
from policies.lifetimes import INVITATION_TTL
from policies.roles import Role, can_invite

__all__ = ["accept_invitation", "invite"]

_log = get_logger(__name__)
_TOKEN_BYTES = 32


def _invalid_token() -> InputError:
    return InputError("The invitation is invalid, used or expired", slug="invalid-token")


async def invite(
    deps: OrgsDeps,
    principal: Principal,
    org_id: str,
    *,
    email: str,
    role: Role,
    meta: RequestMeta,
) -> Invitation:
    """Owners and admins invite (admins cannot make owners); the token goes by email only."""
    org = await deps.orgs.get(org_id, principal.user_id)
    if org is None:
        raise org_not_found()
    if not can_invite(org.role, role):
        raise forbidden("Only owners and admins can invite, and only owners can invite owners")
    email = normalize_email(email)
    if not is_valid_email(email):
        raise InputError(
            "The email address is not valid",
            errors=[FieldError("email", "must be an email address")],
        )
    token = generate_token(_TOKEN_BYTES)
    now = deps.clock.now()
    invitation = await deps.invitations.create(
        NewInvitation(
            id=new_id(),
            org_id=org_id,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=principal.user_id,
            created_at=now,
            expires_at=now + INVITATION_TTL,
        )
    )
    await record_audit(
        deps.audit,
        deps.clock,
        "org.invitation_created",
        meta,
        actor_id=principal.user_id,
        subject_id=invitation.id,
        org_id=org_id,
        role=role.value,
    )
    message = EmailMessage(
        to=email,
        subject=f"You are invited to {org.name} on {deps.service_name}",
        text=(
            f"You have been invited to join {org.name} as {role.value}. Sign in with this\n"
            "address and send the token below to POST /api/v1/invitations/accept.\n"
            f"It works once and expires in {INVITATION_TTL.days} days.\n\nToken: {token}\n"
        ),
    )
    try:
        await deps.email.send(message)
    except EmailDeliveryError as exc:
        _log.warning("org.invitation_email_failed", invitation_id=invitation.id, error=str(exc))
    return invitation


async def accept_invitation(
    deps: OrgsDeps, principal: Principal, *, token: str, meta: RequestMeta
) -> Membership:
    token_hash = hash_token(token)
    invitation = await deps.invitations.pending(token_hash, deps.clock.now())
    if invitation is None:
        raise _invalid_token()
    email = await deps.user_emails.email_of(principal.user_id)
    if email is None:
        raise AuthenticationError("The account no longer exists")
    # The token proves access to the invited mailbox; only that address's account may use it.
    if email != invitation.email:
        raise PermissionDeniedError(
            "This invitation was sent to another email address",
            slug="invitation-email-mismatch",
        )
    now = deps.clock.now()
    async with deps.unit_of_work() as uow:
        if await deps.invitations.accept(token_hash, principal.user_id, now, uow) is None:
            raise _invalid_token()
        membership = await deps.orgs.add_member(
            invitation.org_id, principal.user_id, invitation.role, now, uow
        )
        await record_audit(
            deps.audit,
            deps.clock,
            "org.invitation_accepted",
            meta,
            actor_id=principal.user_id,
            subject_id=invitation.id,
            org_id=invitation.org_id,
            uow=uow,
            role=membership.role.value,
        )
    return membership
