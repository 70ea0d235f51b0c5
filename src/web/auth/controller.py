"""`/api/v1/auth`: registration, login (+MFA), sessions, MFA, password and email flows."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import Provide

from common.principal import Principal
from common.request_meta import RequestMeta
from common.users import User
from core.logging import get_logger
from modules import auth
from modules.auth import AuthDeps, MfaChallenge
from policies.mfa import SensitiveAction
from web.auth.cookies import clear_cookie, presented_refresh_token, tokens_response
from web.auth.dependencies import provide_auth_deps, request_meta
from web.auth.guards import require_mfa
from web.auth.schemas import (
    CodeIn,
    EmailVerifyIn,
    LoginIn,
    LoginMfaIn,
    MfaChallengeOut,
    MfaSetupOut,
    PasswordChangeIn,
    PasswordForgotIn,
    PasswordResetIn,
    PathId,
    RecoveryCodesOut,
    RefreshIn,
    RegisterIn,
    SessionList,
    SessionOut,
    TokenPairOut,
)
from web.opts import SECRET_RESPONSE_OPT

__all__ = ["AuthController"]

_log = get_logger(__name__)
AnyRequest = Request[Any, Any, Any]
_SECRET = {SECRET_RESPONSE_OPT: True}
"""Responses holding tokens, TOTP seeds or recovery codes (the idempotency store encrypts them)."""


async def _forgot_in_background(deps: AuthDeps, email: str, meta: RequestMeta) -> None:
    # Runs after the 202 is sent: its duration cannot reveal whether the account exists.
    try:
        await auth.forgot_password(deps, email=email, meta=meta)
    except Exception:
        _log.exception("auth.password_forgot_failed")


async def _resend_in_background(deps: AuthDeps, principal: Principal, meta: RequestMeta) -> None:
    try:
        await auth.resend_verification(deps, principal, meta)
    except Exception:
        _log.exception("auth.verification_resend_failed")


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    dependencies = {"deps": Provide(provide_auth_deps, sync_to_thread=False)}

    @post("/register", status_code=201, summary="Create an account (mails a verification token)")
    async def register(self, data: RegisterIn, deps: AuthDeps, request: AnyRequest) -> User:
        return await auth.register(
            deps,
            email=data.email,
            password=data.password,
            name=data.name,
            meta=request_meta(request),
        )

    @post(
        "/login",
        status_code=200,
        opt=_SECRET,
        summary="Log in; returns tokens, or an MFA challenge when MFA is on",
    )
    async def login(
        self, data: LoginIn, deps: AuthDeps, request: AnyRequest
    ) -> Response[TokenPairOut | MfaChallengeOut]:
        result = await auth.login(
            deps, email=data.email, password=data.password, meta=request_meta(request)
        )
        if isinstance(result, MfaChallenge):
            return Response(MfaChallengeOut.of(result), status_code=200)
        return tokens_response(result, request.app.state.container.settings)  # type: ignore[return-value]  # Response is invariant; the body is one arm of the union

    @post(
        "/login/mfa",
        status_code=200,
        opt=_SECRET,
        summary="Finish an MFA login with a TOTP or recovery code",
    )
    async def login_mfa(
        self, data: LoginMfaIn, deps: AuthDeps, request: AnyRequest
    ) -> Response[TokenPairOut]:
        tokens = await auth.login_mfa(
            deps, mfa_token=data.mfa_token, code=data.code, meta=request_meta(request)
        )
        return tokens_response(tokens, request.app.state.container.settings)

    @post("/refresh", status_code=200, opt=_SECRET, summary="Rotate a refresh token for a new pair")
    async def refresh(
        self, data: RefreshIn, deps: AuthDeps, request: AnyRequest
    ) -> Response[TokenPairOut]:
        settings = request.app.state.container.settings
        token = presented_refresh_token(request, settings, data.refresh_token)
        tokens = await auth.refresh(deps, refresh_token=token, meta=request_meta(request))
        return tokens_response(tokens, settings)

    @post("/logout", status_code=204, summary="End the session the refresh token belongs to")
    async def logout(self, data: RefreshIn, deps: AuthDeps, request: AnyRequest) -> Response[None]:
        settings = request.app.state.container.settings
        token = presented_refresh_token(request, settings, data.refresh_token)
        await auth.logout(deps, refresh_token=token, meta=request_meta(request))
        return Response(None, status_code=204, cookies=clear_cookie(settings))

    @get("/sessions", summary="The caller's sessions (one per login)")
    async def sessions(self, principal: Principal, deps: AuthDeps) -> SessionList:
        found = await auth.list_sessions(deps, principal)
        return SessionList(items=[SessionOut.of(session) for session in found])

    @delete(
        "/sessions/{session_id:str}", status_code=204, summary="Revoke one of the caller's sessions"
    )
    async def revoke_session(
        self, session_id: PathId, principal: Principal, deps: AuthDeps, request: AnyRequest
    ) -> None:
        await auth.revoke_session(deps, principal, session_id, request_meta(request))

    @post(
        "/mfa/setup",
        status_code=200,
        opt=_SECRET,
        summary="Start TOTP setup (not active until enabled)",
    )
    async def mfa_setup(
        self, principal: Principal, deps: AuthDeps, request: AnyRequest
    ) -> MfaSetupOut:
        setup = await auth.setup_mfa(deps, principal, request_meta(request))
        return MfaSetupOut(secret=setup.secret, otpauth_uri=setup.otpauth_uri)

    @post(
        "/mfa/enable",
        status_code=200,
        opt=_SECRET,
        summary="Activate TOTP; returns ten recovery codes",
    )
    async def mfa_enable(
        self, data: CodeIn, principal: Principal, deps: AuthDeps, request: AnyRequest
    ) -> RecoveryCodesOut:
        codes = await auth.enable_mfa(deps, principal, data.code, request_meta(request))
        return RecoveryCodesOut(recovery_codes=codes)

    @post("/mfa/disable", status_code=204, summary="Turn MFA off (needs a valid code)")
    async def mfa_disable(
        self, data: CodeIn, principal: Principal, deps: AuthDeps, request: AnyRequest
    ) -> None:
        await auth.disable_mfa(deps, principal, data.code, request_meta(request))

    @post(
        "/mfa/step-up",
        status_code=200,
        opt=_SECRET,
        summary="Prove MFA now: tokens with a fresh MFA proof",
    )
    async def mfa_step_up(
        self, data: CodeIn, principal: Principal, deps: AuthDeps, request: AnyRequest
    ) -> Response[TokenPairOut]:
        tokens = await auth.step_up(deps, principal, data.code, request_meta(request))
        return tokens_response(tokens, request.app.state.container.settings)

    @post("/password/forgot", status_code=202, summary="Mail a reset token (always 202)")
    async def password_forgot(
        self, data: PasswordForgotIn, deps: AuthDeps, request: AnyRequest
    ) -> Response[None]:
        task = BackgroundTask(_forgot_in_background, deps, data.email, request_meta(request))
        return Response(None, status_code=202, background=task)

    @post("/password/reset", status_code=204, summary="Set a new password with a reset token")
    async def password_reset(
        self, data: PasswordResetIn, deps: AuthDeps, request: AnyRequest
    ) -> None:
        await auth.reset_password(
            deps, token=data.token, password=data.password, meta=request_meta(request)
        )

    @post(
        "/password/change",
        status_code=204,
        guards=[require_mfa(SensitiveAction.PASSWORD_CHANGE)],
        summary="Change the password (sensitive: needs a fresh MFA proof)",
    )
    async def password_change(
        self, data: PasswordChangeIn, principal: Principal, deps: AuthDeps, request: AnyRequest
    ) -> None:
        await auth.change_password(
            deps,
            principal,
            current_password=data.current_password,
            new_password=data.new_password,
            meta=request_meta(request),
        )

    @post("/email/verify", status_code=204, summary="Confirm the email address with its token")
    async def email_verify(self, data: EmailVerifyIn, deps: AuthDeps, request: AnyRequest) -> None:
        await auth.verify_email(deps, token=data.token, meta=request_meta(request))

    @post("/email/verify/resend", status_code=202, summary="Mail a new verification token")
    async def email_verify_resend(
        self, principal: Principal, deps: AuthDeps, request: AnyRequest
    ) -> Response[None]:
        task = BackgroundTask(_resend_in_background, deps, principal, request_meta(request))
        return Response(None, status_code=202, background=task)
