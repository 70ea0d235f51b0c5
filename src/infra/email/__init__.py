"""Email adapters: SMTP, Resend and the console outbox."""

from infra.email.console import ConsoleEmailSender
from infra.email.resend import ResendEmailSender
from infra.email.smtp import SmtpEmailSender

__all__ = ["ConsoleEmailSender", "ResendEmailSender", "SmtpEmailSender"]
