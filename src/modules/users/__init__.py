"""The caller's own account: read, rename, delete.

The use cases depend only on `modules.users.ports` (and core ports); `web` builds `UsersDeps`.
"""

from modules.users.deps import UsersDeps
from modules.users.ports import AccountDeletionHook, UserDirectory
from modules.users.profile import delete_me, get_me, update_me

__all__ = [
    "AccountDeletionHook",
    "UserDirectory",
    "UsersDeps",
    "delete_me",
    "get_me",
    "update_me",
]
