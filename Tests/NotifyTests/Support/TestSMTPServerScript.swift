/// The aiosmtpd-based test relay, written to a temporary file and run with /usr/bin/python3.
///
/// Arguments: a JSON config file. Prints `READY <port>` once listening. Every accepted message
/// goes into a Maildir and, decoded by Python's `email` package, into `messages.jsonl`;
/// AUTH attempts go into `auth.jsonl`.
enum TestSMTPServerScript {
    static let source = #"""
import asyncio, base64, json, mailbox, os, signal, socket, ssl, sys, threading
from email import policy
from email.parser import BytesParser
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

# The test process may have spawned us with signals blocked; SIGTERM must stop us.
signal.pthread_sigmask(signal.SIG_SETMASK, [])
signal.signal(signal.SIGTERM, signal.SIG_DFL)
cfg = json.load(open(sys.argv[1]))
workdir = cfg["workdir"]
maildir = mailbox.Maildir(os.path.join(workdir, "Maildir"), create=True)
lock = threading.Lock()

def log(name, record):
    with lock:
        with open(os.path.join(workdir, name), "a") as f:
            f.write(json.dumps(record) + "\n")

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

    async def handle_DATA(self, server, session, envelope):
        if cfg.get("tempfail_data_once") and not self.data_tempfailed:
            self.data_tempfailed = True
            return "451 4.3.0 queue busy, try again later"
        raw = envelope.original_content
        maildir.add(raw)
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        body = msg.get_body(preferencelist=("plain",))
        log("messages.jsonl", {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "raw_b64": base64.b64encode(raw).decode(),
            "subject": str(msg["Subject"]),
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "date": str(msg["Date"]),
            "message_id": str(msg["Message-ID"]),
            "mime_version": str(msg["MIME-Version"]),
            "content_type": msg.get_content_type(),
            "charset": msg.get_content_charset(),
            "cte": str(msg["Content-Transfer-Encoding"]),
            "body": body.get_content().replace("\r\n", "\n") if body is not None else None,
            "defects": [str(d) for d in msg.defects],
            "authenticated": bool(getattr(session, "authenticated", False)),
            "tls": session.ssl is not None
                   or server.transport.get_extra_info("ssl_object") is not None,
        })
        if cfg.get("reject_data"):
            return "554 5.6.0 message content rejected"
        return "250 2.0.0 queued as test"

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
