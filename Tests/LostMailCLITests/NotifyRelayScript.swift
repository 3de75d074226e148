/// The controllable aiosmtpd relay the end-to-end notification tests send to, written to a
/// temporary file and run with /usr/bin/python3.
///
/// Argument: a JSON config file (`workdir`, optional `data_delay` seconds before answering DATA,
/// `store_then_delay` to store the message before that delay rather than after, `tempfail_rcpt` and
/// `reject_rcpt` address lists, `cert`/`key` for STARTTLS, `auth`). Prints `READY <port>` once
/// listening. Every answer to DATA goes into `attempts.jsonl` (event `data` when the message
/// arrived, then `451`, `554`, `dropped` or `250`); every accepted message goes into `Maildir`
/// and, decoded by Python's `email` package (RFC 2047 subject, quoted-printable body), into
/// `messages.jsonl`. While the file `<workdir>/tempfail.on` exists, messages to `tempfail_rcpt`
/// are answered 451; `reject_rcpt` always gets 554.
enum NotifyRelayScript {
    static let source = #"""
import asyncio, json, mailbox, os, signal, socket, ssl, sys, threading, time
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
    async def handle_DATA(self, server, session, envelope):
        rcpts = list(envelope.rcpt_tos)
        log("attempts.jsonl", {"event": "data", "rcpt_tos": rcpts})
        delay = cfg.get("data_delay", 0)
        if delay and not cfg.get("store_then_delay"):
            await asyncio.sleep(delay)
            if server.transport is None or server.transport.is_closing():
                log("attempts.jsonl", {"event": "dropped", "rcpt_tos": rcpts})
                return "421 4.4.2 connection lost"
        if os.path.exists(os.path.join(workdir, "tempfail.on")) and set(rcpts) & set(cfg.get("tempfail_rcpt", [])):
            log("attempts.jsonl", {"event": "451", "rcpt_tos": rcpts})
            return "451 4.3.0 mailbox busy, try again later"
        if set(rcpts) & set(cfg.get("reject_rcpt", [])):
            log("attempts.jsonl", {"event": "554", "rcpt_tos": rcpts})
            return "554 5.7.1 message refused by policy"
        raw = envelope.original_content
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        body = msg.get_body(preferencelist=("plain",))
        store.add(raw)
        log("messages.jsonl", {
            "mail_from": envelope.mail_from,
            "rcpt_tos": rcpts,
            "subject": str(msg["Subject"]),
            "to": str(msg["To"]),
            "message_id": str(msg["Message-ID"]).strip(),
            "cte": str(msg["Content-Transfer-Encoding"]),
            "body": body.get_content().replace("\r\n", "\n") if body is not None else None,
            "authenticated": bool(getattr(session, "authenticated", False)),
            "tls": uses_tls(server, session),
        })
        if delay and cfg.get("store_then_delay"):
            # The message is stored; the client has not had the 250 yet (the crash window).
            await asyncio.sleep(delay)
        log("attempts.jsonl", {"event": "250", "rcpt_tos": rcpts})
        return "250 2.0.0 queued"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login.decode() == cfg["auth"]["username"]
          and auth_data.password.decode() == cfg["auth"]["password"])
    log("auth.jsonl", {"mechanism": mechanism, "login": auth_data.login.decode(), "success": ok})
    return AuthResult(success=ok, handled=False)

kwargs = {}
if "cert" in cfg:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cfg["cert"], cfg["key"])
    kwargs["tls_context"] = context
    kwargs["require_starttls"] = True
if "auth" in cfg:
    kwargs["authenticator"] = authenticator
    kwargs["auth_require_tls"] = True
    kwargs["auth_required"] = True

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]
sock.close()
controller = Controller(Handler(), hostname="127.0.0.1", port=port, server_hostname="relay.test", **kwargs)
controller.start()
print("READY %d" % port, flush=True)
while True:
    signal.pause()
"""#
}
