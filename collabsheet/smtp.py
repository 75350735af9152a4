"""Sending notices over SMTP: one connection (plain, STARTTLS or SSL), the login from the
environment, one message at a time at a pace an office relay accepts.

What the server says decides what is recorded: a message counts as sent once the server has
accepted it (250 after DATA); a refused recipient is reported and the run goes on; a refused
sender, a failed login or a closed connection stop the run with one line (``MailError``). The
password is never part of a message.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass
from typing import Literal, Protocol

from .errors import MailError, UsageError
from .phrases import said

Security = Literal["none", "starttls", "ssl"]
TIMEOUT = 60.0
_LOGIN_CODES = (530, 535, 538)
"""What a server answers to MAIL FROM when it wants a login first."""


class Clock(Protocol):
    """Time as the caller gives it: the time of day (aware), a monotonic second count and a
    way to wait."""

    def now(self) -> dt.datetime: ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: Security = "none"
    user: str | None = None
    password: str | None = None

    @property
    def name(self) -> str:
        return f"{self.host}:{self.port}"


def parse_server(text: str, security: Security = "none", user: str | None = None,
                 password: str | None = None) -> Server:
    """HOST:PORT (an IPv6 host in brackets); the port defaults to 465 with SSL, else 25."""
    host, port = text.strip(), ""
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        port = rest.removeprefix(":")
    elif host.count(":") == 1:
        host, _, port = host.partition(":")
    if not host or (port and not port.isdigit()) or (port and not 0 < int(port) < 65536):
        raise UsageError(said("smtp_address", text=text))
    number = int(port) if port else (465 if security == "ssl" else 25)
    return Server(host, number, security, user or None, password or None)


def _why(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"{exc.smtp_code} {' '.join(text.split())}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


class Connection:
    """An open, logged-in connection; ``send`` returns None when the message was accepted, or
    the server's refusal of the recipient."""

    def __init__(self, server: Server, context: ssl.SSLContext | None = None):
        self.server = server
        ctx = context or ssl.create_default_context()
        try:
            if server.security == "ssl":
                self.smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port,
                                                           timeout=TIMEOUT, context=ctx)
            else:
                self.smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
            self.smtp.ehlo()
            if server.security == "starttls":
                if not self.smtp.has_extn("starttls"):
                    self.close()
                    raise MailError(said("smtp_no_starttls", server=server.name))
                self.smtp.starttls(context=ctx)
                self.smtp.ehlo()
        except MailError:
            raise
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            raise MailError(said("smtp_connect", server=server.name, why=_why(exc))) from None
        if server.user:
            try:
                self.smtp.login(server.user, server.password or "")
            except smtplib.SMTPNotSupportedError:
                self.close()
                raise MailError(said("smtp_no_auth", server=server.name)) from None
            except (OSError, smtplib.SMTPException) as exc:
                self.close()
                raise MailError(said("smtp_login", server=server.name, user=server.user,
                                     why=_why(exc))) from None

    def probe(self, sender: str) -> None:
        """MAIL FROM and RSET: a server that wants a login, or refuses the sender, says so
        before anything is sent or recorded."""
        try:
            code, text = self.smtp.mail(sender)
            self.smtp.rset()
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(said("smtp_connect", server=self.server.name, why=_why(exc))
                            ) from None
        if code in _LOGIN_CODES:
            raise MailError(said("smtp_login_needed", server=self.server.name))
        if code != 250:
            raise MailError(said("smtp_sender", server=self.server.name, sender=sender,
                                 why=_why(smtplib.SMTPResponseException(code, text))))

    def send(self, sender: str, to: str, data: bytes) -> str | None:
        try:
            self.smtp.sendmail(sender, [to], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(to, (550, b""))
            return _why(smtplib.SMTPResponseException(code, text))
        except smtplib.SMTPSenderRefused as exc:
            if exc.smtp_code in _LOGIN_CODES:
                raise MailError(said("smtp_login_needed", server=self.server.name)) from None
            raise MailError(said("smtp_sender", server=self.server.name, sender=sender,
                                 why=_why(exc))) from None
        except smtplib.SMTPDataError as exc:
            if exc.smtp_code != 421:
                return _why(exc)
            raise MailError(said("smtp_dropped", server=self.server.name,
                                 why=_why(exc))) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(said("smtp_dropped", server=self.server.name,
                                 why=_why(exc))) from None
        return None

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


class Pace:
    """At most ``per_minute`` messages a minute, evenly spaced."""

    def __init__(self, per_minute: int, clock: Clock):
        if per_minute < 1:
            raise UsageError(said("per_minute", n=per_minute))
        self.gap = 60.0 / per_minute
        self.clock = clock
        self.next: float | None = None

    def wait(self) -> None:
        now = self.clock.monotonic()
        if self.next is not None and now < self.next:
            self.clock.sleep(self.next - now)
            now = self.next
        self.next = now + self.gap

