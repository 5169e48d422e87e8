#!/usr/bin/env python3
"""A local SMTP server that keeps every message it receives, for `make run` and the tests.

    .venv/bin/python scripts/smtp-catcher.py --host 127.0.0.1 --port 2525 --dir .data/run/mail

Each message is stored as DIR/<id>.eml: the bytes the client sent after DATA, with a
`Return-Path` and an `X-Catcher-Recipients` header in front (the envelope, which the message's
own headers need not show). A file appears only when complete (written to a temporary name, then
renamed). After the rename one JSON line is appended to DIR/index.jsonl:

    {"id": "...", "file": "<id>.eml", "received_at": "2026-11-25T17:01:02.123Z",
     "mail_from": "...", "rcpt_tos": ["..."], "subject": "<decoded>", "peer": "127.0.0.1"}

so a reader that follows the index never sees a half-written message. Needs `aiosmtpd` (see
scripts/python-requirements.txt; scripts/venv.sh installs it into .venv). Stops on SIGTERM/SIGINT.
"""

import argparse
import asyncio
import datetime
import email.header
import email.parser
import email.policy
import json
import os
import secrets
import signal
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class MailFolder:
    """Stores messages in a folder: one .eml each, plus an index line each."""

    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.index = os.path.join(folder, "index.jsonl")

    def store(self, envelope, peer):
        now = datetime.datetime.now(datetime.timezone.utc)
        message_id = now.strftime("%Y%m%dT%H%M%S.%fZ") + "-" + secrets.token_hex(4)
        name = message_id + ".eml"
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        front = (
            "Return-Path: <%s>\r\nX-Catcher-Recipients: %s\r\n"
            % (envelope.mail_from or "", ", ".join(envelope.rcpt_tos))
        ).encode("utf-8")

        temporary = os.path.join(self.folder, "." + name + ".tmp")
        # No fsync: the folder is a development catcher's, not a mail store, and the rename alone
        # keeps readers from seeing half a message (an fsync per mail cost the checkout benchmark
        # a disk flush per order).
        with open(temporary, "wb") as f:
            f.write(front)
            f.write(content)
        os.rename(temporary, os.path.join(self.folder, name))

        line = json.dumps(
            {
                "id": message_id,
                "file": name,
                "received_at": now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000),
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "subject": decoded_subject(content),
                "peer": peer,
            },
            ensure_ascii=False,
        )
        # One write(2) on an O_APPEND descriptor: lines from concurrent sessions never interleave.
        fd = os.open(self.index, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)
        return name


def decoded_subject(content):
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(content)
        raw = headers.get("Subject", "")
        return str(email.header.make_header(email.header.decode_header(raw)))
    except Exception:  # a broken header must not lose the message
        return ""


class Handler:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        try:
            name = self.folder.store(envelope, peer)
        except OSError as error:
            log("could not store a message: %s" % error)
            return "451 Requested action aborted: could not store the message"
        log("stored %s (from %s to %s)" % (name, envelope.mail_from, ", ".join(envelope.rcpt_tos)))
        return "250 OK stored as " + name


def log(line):
    sys.stderr.write("smtp-catcher: %s\n" % line)
    sys.stderr.flush()


def main():
    parser = argparse.ArgumentParser(description="Keep every mail sent to this SMTP server as a .eml file.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True, help="folder for the .eml files and index.jsonl")
    parser.add_argument(
        "--require-auth",
        metavar="USER:PASSWORD",
        help="accept only clients that log in (AUTH PLAIN/LOGIN, no TLS needed) with these credentials",
    )
    args = parser.parse_args()

    folder = MailFolder(args.dir)
    handler = Handler(folder)
    credentials = None
    if args.require_auth:
        # Plain-text AUTH on loopback is the point of this option; aiosmtpd warns about it.
        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
        user, _, password = args.require_auth.partition(":")
        credentials = (user.encode(), password.encode())

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and credentials == (auth_data.login, auth_data.password)
        # handled=False: aiosmtpd then answers 535 itself (True would leave the client waiting).
        return AuthResult(success=ok, handled=False)

    def factory():
        options = dict(enable_SMTPUTF8=True, hostname="smtp-catcher.localhost")
        if credentials:
            options.update(auth_required=True, auth_require_tls=False, authenticator=authenticator)
        return SMTP(handler, **options)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(factory, host=args.host, port=args.port))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log("listening on %s:%d, keeping mail in %s" % (args.host, args.port, os.path.abspath(args.dir)))
    loop.run_until_complete(stop.wait())
    server.close()
    loop.run_until_complete(server.wait_closed())
    log("stopped")


if __name__ == "__main__":
    main()
