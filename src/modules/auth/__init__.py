"""Authentication use cases: sign-up, login (with MFA), sessions, password and email flows.

They depend only on the ports in `modules.auth.ports` (and core ports); `web` builds an
`AuthDeps` from the container and calls them.
"""

from modules.auth.deps import AuthConfig, AuthDeps
from modules.auth.login import login, login_mfa
from modules.auth.mfa import disable_mfa, enable_mfa, require_second_factor, setup_mfa, step_up
from modules.auth.models import IssuedTokens, MfaChallenge, MfaSetup, SessionInfo
from modules.auth.passwords import change_password, forgot_password, reset_password
from modules.auth.registration import create_admin, register, resend_verification, verify_email
from modules.auth.sessions import list_sessions, logout, refresh, revoke_session
from modules.auth.tokens import ACCESS_TOKEN_TYPE

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "AuthConfig",
    "AuthDeps",
    "IssuedTokens",
    "MfaChallenge",
    "MfaSetup",
    "SessionInfo",
    "change_password",
    "create_admin",
    "disable_mfa",
    "enable_mfa",
    "forgot_password",
    "list_sessions",
    "login",
    "login_mfa",
    "logout",
    "refresh",
    "register",
    "require_second_factor",
    "resend_verification",
    "reset_password",
    "revoke_session",
    "setup_mfa",
    "step_up",
    "verify_email",
]
