"""A notice as an email: plain text with an HTML part, in the office's language.

Text people typed (names, messages) is data: escaped in the HTML part, and kept out of the
headers except the recipient's name, from which line breaks are removed, so nothing typed can
add a header. Korean is encoded as the standard says (RFC 2047 headers, UTF-8 bodies).
"""

from __future__ import annotations

import datetime as dt
import re
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, make_msgid
from html import escape

from .labels import amount, period_words
from .notices import Notice, Notices
from .phrases import phrase

SMTP_LINES = compat32.clone(linesep="\r\n")
_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: str) -> str:
    """Text fit for a header: line breaks and control characters become one space."""
    return _BREAKS.sub(" ", text).strip()


def _lines(n: Notice, batch: Notices) -> list[tuple[str, list[str]]]:
    """(section title, lines) in order, each line plain text."""
    lang = batch.lang
    month = period_words(batch.month, batch.month, lang)
    out: list[tuple[str, list[str]]] = []
    if n.thanks:
        out.append((phrase("mail_thanks", lang, month=month), [
            phrase("mail_thanks_line", lang, day=t.day.isoformat(), name=t.name,
                   department=t.department, points=amount(t.points), message=t.message)
            for t in n.thanks]))
    if n.refused:
        lines = []
        for r in n.refused:
            day = r.day.isoformat() if r.day else "-"
            lines.append(phrase("mail_refused_line", lang, row=r.row, day=day, to=r.receiver,
                                points=r.points))
            lines += [f"  - {reason}" for reason in r.reasons]
        if n.left is not None:
            lines.append(phrase("mail_left", lang, left=amount(n.left)))
        out.append((phrase("mail_refused", lang, month=month), lines))
    if n.statement:
        s = n.statement
        out.append((phrase("mail_statement", lang, month=month), [
            phrase("mail_statement_line", lang, granted=amount(s.granted), sent=amount(s.sent),
                   expired=amount(s.expired), received=amount(s.received)),
            phrase("mail_score", lang, period=period_words(s.period.first, s.period.last, lang),
                   score=amount(s.score))]))
    return out


def texts(n: Notice, batch: Notices) -> tuple[str, str, str]:
    """The subject, the plain text and the HTML of ``n``'s notice: what every way of writing
    the message (``compose``, ``mailbytes``) puts into it."""
    lang = batch.lang
    month = period_words(batch.month, batch.month, lang)
    sections = _lines(n, batch)
    hello = phrase("mail_hello", lang, name=one_line(n.name))
    foot = phrase("mail_footer", lang, source=batch.source, day=batch.as_of.isoformat())
    text = [hello, ""]
    for title, lines in sections:
        text += [title, *lines, ""]
    html = [f"<p>{escape(hello)}</p>"]
    for title, lines in sections:
        html.append(f"<h3>{escape(title)}</h3><ul>"
                    + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")
    html.append(f'<p style="color:#666">{escape(foot)}</p>')
    return (phrase("mail_subject", lang, month=month), "\n".join([*text, foot]) + "\n",
            f'<!DOCTYPE html><html lang="{lang}"><body>{"".join(html)}</body></html>\n')


def recipient(n: Notice) -> str:
    """The To header: the name on one line, encoded when it is not ASCII."""
    return formataddr((one_line(n.name), str(n.email)), charset="utf-8")


def message_id(sender: str) -> str:
    return make_msgid("collabsheet", domain=sender.rpartition("@")[2] or "localhost")


def compose(n: Notice, batch: Notices, sender: str, at: dt.datetime,
            msgid: str | None = None) -> Message:
    """The message for ``n`` (who must have an email address), dated ``at`` (aware), built
    with the email package's MIME classes: the reference ``mailbytes`` is compared with."""
    subject, plain, html = texts(n, batch)
    msg = MIMEMultipart("alternative")
    msg["Subject"] = Header(subject, "utf-8").encode()
    msg["From"] = sender
    msg["To"] = recipient(n)
    msg["Message-ID"] = msgid or message_id(sender)
    msg["Date"] = format_datetime(at)
    msg.attach(MIMEText(plain, "plain", "utf-8"))
    msg.attach(MIMEText(html, "html", "utf-8"))
    return msg


def as_bytes(msg: Message) -> bytes:
    """The message as it goes over SMTP or into an .eml file (CRLF line ends)."""
    return msg.as_bytes(policy=SMTP_LINES)
