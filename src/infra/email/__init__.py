"""Email adapters: SMTP, Resend and the console outbox."""

from infra.email.console import ConsoleEmailSender

__all__ = ["ConsoleEmailSender"]
