#!/usr/bin/env python3
"""Decodes a stored .eml with Python's own email package, as an independent reader would, and
prints JSON: the decoded headers, every leaf part's content type and decoded text, and the
length of the longest raw line. The Mailer tests compare against this, not against our encoder.

    python3 decode-mail.py FILE.eml
"""

import json
import sys
from email import policy
from email.parser import BytesParser

raw = open(sys.argv[1], "rb").read()
message = BytesParser(policy=policy.default).parsebytes(raw)
parts = []
for part in message.walk():
    if part.is_multipart():
        continue
    parts.append({
        "content_type": part.get_content_type(),
        "charset": part.get_content_charset(),
        "transfer_encoding": part.get("Content-Transfer-Encoding"),
        # Line ends are the transport's (CRLF); the text is compared with \n.
        "text": part.get_content().replace("\r\n", "\n"),
    })
print(json.dumps({
    "headers": [[k, str(v)] for k, v in message.items()],
    "content_type": message.get_content_type(),
    "parts": parts,
    "longest_line": max(len(line) for line in raw.split(b"\r\n")),
    "defects": [type(d).__name__ for d in message.defects],
}, ensure_ascii=False))
