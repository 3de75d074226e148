/// The aiosmtpd-based test relay, written to a temporary file and run with /usr/bin/python3.
///
/// Argument: a JSON config file (see `SMTPTestServer.Options` for the keys). Prints
/// `READY <port>` once listening on 127.0.0.1. RCPT: addresses in `reject_rcpt` get 550, those
/// in `tempfail_rcpt_once` a 451 the first time. DATA, in this order: `tempfail_data_once` gives
/// one 451; `data_delay` seconds pass (unless `store_then_delay`); while `<workdir>/tempfail.on`
/// exists, messages to `tempfail_rcpt` get 451; messages to `reject_data_rcpt` get 554; then
/// the message is stored in `Maildir` and, decoded by Python's `email` package, in
/// `messages.jsonl`; with `store_then_delay` the delay passes now; `reject_data` gives 554 (the
/// message is kept), else 250. With `delay_from_message` N, the delay applies from a connection's
/// N-th message on. A connection that carried `refuse_after_messages` messages gets
/// 421 to its next MAIL FROM and is closed; one that carried `drop_after_messages` is closed
/// right after the 250 of the last. Each message records the client's port (one per
/// connection) as `peer_port`. Every DATA answer goes into `attempts.jsonl` (event `data` when
/// the data arrived, then `451`, `554`, `dropped` or `250`), AUTH attempts into `auth.jsonl`.
enum SMTPTestServerScript {
    static let source = #"""
import asyncio, base64, json, mailbox, os, signal, socket, ssl, sys, threading, time
from email import policy
from email.parser import BytesParser
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

# The test process may have spawned us with signals blocked; SIGTERM must stop us.
signal.pthread_sigmask(signal.SIG_SETMASK, [])
signal.signal(signal.SIGTERM, signal.SIG_DFL)
cfg = json.load(open(sys.argv[1]))
workdir = cfg["workdir"]
store = mailbox.Maildir(os.path.join(workdir, "Maildir"), create=True)
lock = threading.Lock()

def log(name, record):
    record["at"] = time.time()
    with lock:
        with open(os.path.join(workdir, name), "a") as f:
            f.write(json.dumps(record) + "\n")

def uses_tls(server, session):
    transport = server.transport
    return session.ssl is not None or (transport is not None and transport.get_extra_info("ssl_object") is not None)

class Handler:
    def __init__(self):
        self.rcpt_seen = set()
        self.data_tempfailed = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in cfg.get("reject_rcpt", []):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if address in cfg.get("tempfail_rcpt_once", []) and address not in self.rcpt_seen:
            self.rcpt_seen.add(address)
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        limit = cfg.get("refuse_after_messages")
        if limit and getattr(session, "lm_stored", 0) >= limit:
            # A relay ending a kept connection on its own message limit: 421, then close.
            asyncio.get_running_loop().call_later(0.02, server.transport.close)
            return "421 4.7.0 too many messages in this connection, closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpts = list(envelope.rcpt_tos)
        log("attempts.jsonl", {"event": "data", "rcpt_tos": rcpts})
        if cfg.get("tempfail_data_once") and not self.data_tempfailed:
            self.data_tempfailed = True
            log("attempts.jsonl", {"event": "451", "rcpt_tos": rcpts})
            return "451 4.3.0 queue busy, try again later"
        delay = cfg.get("data_delay", 0)
        if getattr(session, "lm_stored", 0) + 1 < cfg.get("delay_from_message", 1):
            delay = 0
        if delay and not cfg.get("store_then_delay"):
            await asyncio.sleep(delay)
            if server.transport is None or server.transport.is_closing():
                log("attempts.jsonl", {"event": "dropped", "rcpt_tos": rcpts})
                return "421 4.4.2 connection lost"
        if os.path.exists(os.path.join(workdir, "tempfail.on")) and set(rcpts) & set(cfg.get("tempfail_rcpt", [])):
            log("attempts.jsonl", {"event": "451", "rcpt_tos": rcpts})
            return "451 4.3.0 mailbox busy, try again later"
        if set(rcpts) & set(cfg.get("reject_data_rcpt", [])):
            log("attempts.jsonl", {"event": "554", "rcpt_tos": rcpts})
            return "554 5.7.1 message refused by policy"
        raw = envelope.original_content
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        body = msg.get_body(preferencelist=("plain",))
        store.add(raw)
        session.lm_stored = getattr(session, "lm_stored", 0) + 1
        log("messages.jsonl", {
            "peer_port": session.peer[1],
            "mail_from": envelope.mail_from,
            "rcpt_tos": rcpts,
            "raw_b64": base64.b64encode(raw).decode(),
            "subject": str(msg["Subject"]),
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "date": str(msg["Date"]),
            "message_id": str(msg["Message-ID"]).strip(),
            "mime_version": str(msg["MIME-Version"]),
            "content_type": msg.get_content_type(),
            "charset": msg.get_content_charset(),
            "cte": str(msg["Content-Transfer-Encoding"]),
            "body": body.get_content().replace("\r\n", "\n") if body is not None else None,
            "defects": [str(d) for d in msg.defects],
            "authenticated": bool(getattr(session, "authenticated", False)),
            "tls": uses_tls(server, session),
        })
        if delay and cfg.get("store_then_delay"):
            # The message is stored; the client has not had the 250 yet (the crash window).
            await asyncio.sleep(delay)
        if cfg.get("reject_data"):
            log("attempts.jsonl", {"event": "554", "rcpt_tos": rcpts})
            return "554 5.6.0 message content rejected"
        log("attempts.jsonl", {"event": "250", "rcpt_tos": rcpts})
        drop = cfg.get("drop_after_messages")
        if drop and session.lm_stored >= drop:
            # A relay that drops a kept connection without a word (idle timeout, restart).
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
        return "250 2.0.0 queued"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login.decode() == cfg["auth"]["username"]
          and auth_data.password.decode() == cfg["auth"]["password"])
    log("auth.jsonl", {"mechanism": mechanism, "login": auth_data.login.decode(), "success": ok})
    # handled=False: aiosmtpd then answers 535 itself.
    return AuthResult(success=ok, handled=False)

kwargs = {}
tls = None
if "cert" in cfg:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cfg["cert"], cfg["key"])
if tls is not None and not cfg.get("implicit_tls"):
    kwargs["tls_context"] = tls
    kwargs["require_starttls"] = True
if "auth" in cfg:
    kwargs["authenticator"] = authenticator
    kwargs["auth_require_tls"] = True
    kwargs["auth_required"] = True
ssl_context = tls if cfg.get("implicit_tls") else None

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]
sock.close()
controller = Controller(Handler(), hostname="127.0.0.1", port=port, ssl_context=ssl_context,
                        server_hostname="relay.test", **kwargs)
controller.start()
print("READY %d" % port, flush=True)
# SIGTERM (default action) ends the process; Maildir and log writes are already complete.
while True:
    signal.pause()
"""#
}
