"""A small, real IMAP4rev1 server on loopback for tests (a socketserver thread).

It speaks what imap-tools and imaplib use: CAPABILITY (with ID unless `offer_id=False`, plus
`more_capabilities`), ID, LOGIN, SELECT / EXAMINE (with UIDVALIDITY and UIDNEXT), UID SEARCH
(ALL, UID <set>), UID FETCH and FETCH (BODY[] / BODY.PEEK[] / BODY.PEEK[HEADER] / RFC822, UID, FLAGS, RFC822.SIZE), NOOP,
CLOSE, UNSELECT and LOGOUT. It records every command (`commands`) and the ID parameters clients
sent (`id_sent`). With `require_id=True` it answers SELECT "NO Unsafe Login" until the client
sent ID, as imap.163.com does.

    with LoopbackIMAP(users={"rep@a.test": "secret"}) as imap:
        uid = imap.add("INBOX", raw_bytes_or_email_message)
        imap.folder("INBOX").uidvalidity = 2   # the server rebuilt the folder
"""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

_LINE = re.compile(rb"^(?P<tag>\S+) (?P<rest>.*)$", re.S)


@dataclass
class Stored:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Folder:
    uidvalidity: int = 1
    next_uid: int = 1
    messages: list[Stored] = field(default_factory=list)

    def add(self, raw: bytes) -> int:
        uid = self.next_uid
        self.next_uid += 1
        self.messages.append(Stored(uid=uid, raw=raw))
        return uid

    def rebuild(self, uidvalidity: int) -> None:
        """A new UIDVALIDITY with the same messages numbered again from 1."""
        self.uidvalidity = uidvalidity
        for index, stored in enumerate(self.messages, start=1):
            stored.uid = index
        self.next_uid = len(self.messages) + 1


def _tokens(text: str) -> list[str]:
    """Split IMAP arguments: quoted strings, parenthesised lists (kept whole) and atoms."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == " ":
            i += 1
        elif ch == '"':
            j, buf = i + 1, []
            while j < len(text) and text[j] != '"':
                if text[j] == "\\" and j + 1 < len(text):
                    j += 1
                buf.append(text[j])
                j += 1
            out.append("".join(buf))
            i = j + 1
        elif ch == "(":
            depth, j = 0, i
            while j < len(text):
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            out.append(text[i:j])
            i = j
        else:
            j = text.find(" ", i)
            j = len(text) if j < 0 else j
            out.append(text[i:j])
            i = j
    return out


def _in_set(value: int, spec: str, highest: int) -> bool:
    for part in spec.split(","):
        if ":" in part:
            lo_s, hi_s = part.split(":", 1)
            lo = highest if lo_s == "*" else int(lo_s)
            hi = highest if hi_s == "*" else int(hi_s)
            lo, hi = min(lo, hi), max(lo, hi)
            if lo <= value <= hi:
                return True
        elif (highest if part == "*" else int(part)) == value:
            return True
    return False


class _Session(socketserver.StreamRequestHandler):
    server: _TCPServer

    def setup(self) -> None:
        super().setup()
        self.state = "NONAUTH"
        self.folder_name: str | None = None
        self.readonly = False
        self.id_sent = False

    def send(self, data: bytes | str) -> None:
        self.wfile.write(data.encode() if isinstance(data, str) else data)
        self.wfile.flush()

    def handle(self) -> None:
        imap = self.server.imap
        self.send(f"* OK [CAPABILITY {imap.capabilities}] Tradewind loopback IMAP ready\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            match = _LINE.match(line.rstrip(b"\r\n"))
            if match is None:
                self.send("* BAD malformed\r\n")
                continue
            tag = match.group("tag").decode()
            rest = match.group("rest").decode("utf-8", "replace")
            command, _sp, args = rest.partition(" ")
            command = command.upper()
            if command == "UID":
                sub, _sp, args = args.partition(" ")
                command = "UID " + sub.upper()
            with imap.lock:
                imap.commands.append((command, args, self.state))
            handler = getattr(self, "do_" + command.replace(" ", "_"), None)
            if handler is None:
                self.send(f"{tag} BAD unknown command {command}\r\n")
                continue
            if handler(tag, args) == "close":
                return

    # --- commands ---------------------------------------------------------------------------

    def do_CAPABILITY(self, tag: str, args: str) -> None:
        caps = self.server.imap.capabilities
        self.send(f"* CAPABILITY {caps}\r\n{tag} OK CAPABILITY completed\r\n")

    def do_ID(self, tag: str, args: str) -> None:
        imap = self.server.imap
        if not imap.offer_id:
            self.send(f"{tag} BAD unknown command ID\r\n")
            return
        tokens = _tokens(args.strip()[1:-1]) if args.strip().startswith("(") else []
        with imap.lock:
            imap.id_sent.append(dict(zip(tokens[::2], tokens[1::2], strict=False)))
        self.id_sent = True
        self.send(f'* ID ("name" "loopback-imap")\r\n{tag} OK ID completed\r\n')

    def do_LOGIN(self, tag: str, args: str) -> None:
        parts = _tokens(args)
        user, password = [*parts, "", ""][:2]
        if self.server.imap.users.get(user) != password:
            self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
            return
        self.state = "AUTH"
        self.send(f"{tag} OK LOGIN completed\r\n")

    def _select(self, tag: str, args: str, readonly: bool) -> None:
        imap = self.server.imap
        if self.state == "NONAUTH":
            self.send(f"{tag} NO not authenticated\r\n")
            return
        if imap.require_id and not self.id_sent:
            self.send(f"{tag} NO SELECT Unsafe Login. Please contact kefu@188.com for help\r\n")
            return
        name = (_tokens(args) or ["INBOX"])[0]
        folder = imap.folders.get(name)
        if folder is None:
            self.send(f"{tag} NO [NONEXISTENT] Unknown mailbox\r\n")
            return
        self.folder_name, self.readonly, self.state = name, readonly, "SELECTED"
        mode = "READ-ONLY" if readonly else "READ-WRITE"
        self.send(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
            f"* {len(folder.messages)} EXISTS\r\n* 0 RECENT\r\n"
            f"* OK [UIDVALIDITY {folder.uidvalidity}] UIDs valid\r\n"
            f"* OK [UIDNEXT {folder.next_uid}] Predicted next UID\r\n"
            f"{tag} OK [{mode}] {'EXAMINE' if readonly else 'SELECT'} completed\r\n"
        )

    def do_SELECT(self, tag: str, args: str) -> None:
        self._select(tag, args, readonly=False)

    def do_EXAMINE(self, tag: str, args: str) -> None:
        self._select(tag, args, readonly=True)

    def _folder(self, tag: str) -> Folder | None:
        if self.state != "SELECTED" or self.folder_name is None:
            self.send(f"{tag} BAD no mailbox selected\r\n")
            return None
        return self.server.imap.folders[self.folder_name]

    def do_UID_SEARCH(self, tag: str, args: str) -> None:
        folder = self._folder(tag)
        if folder is None:
            return
        words = _tokens(args)
        if words[:1] and words[0].upper() == "CHARSET":
            words = words[2:]
        highest = folder.messages[-1].uid if folder.messages else 0
        uids = [m.uid for m in folder.messages]
        index = 0
        while index < len(words):
            word = words[index].upper()
            if word == "UID" and index + 1 < len(words):
                spec = words[index + 1]
                uids = [u for u in uids if _in_set(u, spec, highest)]
                index += 2
            elif word == "ALL":
                index += 1
            else:
                self.send(f"{tag} BAD unsupported search key {word}\r\n")
                return
        self.send(f"* SEARCH {' '.join(map(str, uids))}\r\n".replace("SEARCH \r", "SEARCH\r"))
        self.send(f"{tag} OK SEARCH completed\r\n")

    def _fetch(self, tag: str, args: str, by_uid: bool) -> None:
        folder = self._folder(tag)
        if folder is None:
            return
        spec, _sp, items = args.partition(" ")
        items_up = items.upper()
        highest_uid = folder.messages[-1].uid if folder.messages else 0
        for seq, stored in enumerate(list(folder.messages), start=1):
            hit = (
                _in_set(stored.uid, spec, highest_uid)
                if by_uid
                else _in_set(seq, spec, len(folder.messages))
            )
            if not hit:
                continue
            parts = [f"UID {stored.uid}"]
            if "FLAGS" in items_up.replace("RFC822.SIZE", ""):
                parts.append(f"FLAGS ({' '.join(sorted(stored.flags))})")
            if "RFC822.SIZE" in items_up:
                parts.append(f"RFC822.SIZE {len(stored.raw)}")
            literal, name = None, ""
            if "BODY.PEEK[HEADER]" in items_up or "BODY[HEADER]" in items_up:
                literal, name = stored.raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n", "BODY[HEADER]"
            elif "BODY.PEEK[]" in items_up or "BODY[]" in items_up:
                literal, name = stored.raw, "BODY[]"
            elif re.search(r"\bRFC822\b(?!\.)", items_up):
                literal, name = stored.raw, "RFC822"
            if literal is not None and "PEEK" not in items_up and not self.readonly:
                stored.flags.add("\\Seen")
            head = f"* {seq} FETCH ({' '.join(parts)}"
            if literal is None:
                self.send(head + ")\r\n")
            else:
                self.send(f"{head} {name} {{{len(literal)}}}\r\n".encode() + literal + b")\r\n")
        self.send(f"{tag} OK FETCH completed\r\n")

    def do_UID_FETCH(self, tag: str, args: str) -> None:
        self._fetch(tag, args, by_uid=True)

    def do_FETCH(self, tag: str, args: str) -> None:
        self._fetch(tag, args, by_uid=False)

    def do_NOOP(self, tag: str, args: str) -> None:
        self.send(f"{tag} OK NOOP completed\r\n")

    def do_CLOSE(self, tag: str, args: str) -> None:
        self.state, self.folder_name = "AUTH", None
        self.send(f"{tag} OK CLOSE completed\r\n")

    do_UNSELECT = do_CLOSE

    def do_LOGOUT(self, tag: str, args: str) -> str:
        self.send(f"* BYE logging out\r\n{tag} OK LOGOUT completed\r\n")
        return "close"


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    imap: LoopbackIMAP


@dataclass
class LoopbackIMAP:
    users: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    offer_id: bool = True
    require_id: bool = False
    more_capabilities: str = ""  # e.g. "IDLE"
    folders: dict[str, Folder] = field(default_factory=lambda: {"INBOX": Folder()})
    commands: list[tuple[str, str, str]] = field(default_factory=list)
    id_sent: list[dict[str, str]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    port: int = 0
    _server: _TCPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def capabilities(self) -> str:
        return " ".join(
            c for c in ("IMAP4rev1", "ID" if self.offer_id else "", self.more_capabilities) if c
        )

    def folder(self, name: str = "INBOX") -> Folder:
        return self.folders.setdefault(name, Folder())

    def add(self, folder: str, message: bytes | Message | Any) -> int:
        """Store a message (raw bytes or an email.message) and return its UID."""
        raw = message if isinstance(message, bytes) else message.as_bytes()
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        with self.lock:
            return self.folder(folder).add(raw)

    def start(self) -> LoopbackIMAP:
        self._server = _TCPServer((self.host, self.port), _Session)
        self._server.imap = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LoopbackIMAP:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def commands_named(self, name: str) -> list[tuple[str, str, str]]:
        return [c for c in self.commands if c[0] == name.upper()]
