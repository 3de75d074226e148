#!/usr/bin/env python3
"""log-shape.py: the shape of a qmail-send log's incident, for comparing the generator with a real log.

Usage: Scripts/log-shape.py [--signature TEXT] LOG_OR_DIR...   (files in the order given; a
directory is read as multilog: @*.s in name order, then current; .gz files are decompressed)

Prints one `key<TAB>value` line per figure: lines, bytes, the log's span, messages, delivery
starts (remote/local), results, the signature's failures, bounces (`bounce msg`), bounce messages
(`from <>`), double bounces (`from <#@[]>`), triple bounces, deliveries per message, the incident
window (first..last signature line) and its share of the log's span, and the share of remote
deliveries finished in the window that failed with the signature.
"""
import gzip
import os
import re
import sys

RESULT = re.compile(rb"^delivery \d+: (success|failure|deferral):")


def files(paths):
    for path in paths:
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if n.startswith("@"))
            if os.path.exists(os.path.join(path, "current")):
                names.append("current")
            for name in names:
                yield os.path.join(path, name)
        else:
            yield path


def stamp(line):
    # @4000000069xxxxxxyyyyyyyy: TAI64 seconds (2^62 + 10 leap seconds before 1972 aside)
    return int(line[1:17], 16) - (1 << 62) - 10 + int(line[17:25], 16) / 1e9


def main(argv):
    signature = b"Unable_to_run_qmail-remote"
    if len(argv) >= 2 and argv[0] == "--signature":
        signature = argv[1].encode()
        argv = argv[2:]
    if not argv:
        sys.exit(__doc__)
    c = dict(lines=0, bytes=0, messages=0, starts_remote=0, starts_local=0, success=0, failure=0,
             deferral=0, signature_failures=0, bounce_msg=0, bounce_messages=0, double_bounce_messages=0,
             triple_bounces=0)
    first = last = None
    fails = []          # stamps of the signature's failures
    fail_bytes = []     # bytes read up to each of them
    remote_results = []  # stamps of remote deliveries' results (delivery number -> remote?)
    remote = {}
    for path in files(argv):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as handle:
            for raw in handle:
                c["lines"] += 1
                c["bytes"] += len(raw)
                if not raw.startswith(b"@") or len(raw) < 27:
                    continue
                t = stamp(raw)
                first = t if first is None else first
                last = t
                body = raw[26:]
                if body.startswith(b"new msg "):
                    c["messages"] += 1
                elif body.startswith(b"starting delivery "):
                    number = body.split(b" ", 3)[2].rstrip(b":")
                    is_remote = b" to remote " in body
                    remote[number] = is_remote
                    c["starts_remote" if is_remote else "starts_local"] += 1
                elif body.startswith(b"delivery "):
                    m = RESULT.match(body)
                    if m:
                        c[m.group(1).decode()] += 1
                        number = body.split(b" ", 2)[1].rstrip(b":")
                        if remote.pop(number, False):
                            remote_results.append((t, m.group(1) == b"failure" and signature in body))
                    if signature in body:
                        c["signature_failures"] += 1
                        fails.append(t)
                        fail_bytes.append(c["bytes"])
                elif body.startswith(b"info msg "):
                    if b" from <> " in body:
                        c["bounce_messages"] += 1
                    elif b" from <#@[]> " in body:
                        c["double_bounce_messages"] += 1
                elif body.startswith(b"bounce msg "):
                    c["bounce_msg"] += 1
                elif body.startswith(b"triple bounce"):
                    c["triple_bounces"] += 1
    for key, value in c.items():
        print(f"{key}\t{value}")
    span = (last - first) if first is not None else 0
    print(f"span_s\t{span:.0f}")
    print(f"deliveries_per_message\t{(c['starts_remote'] + c['starts_local']) / max(c['messages'], 1):.3f}")
    print(f"remote_share_of_starts\t{c['starts_remote'] / max(c['starts_remote'] + c['starts_local'], 1):.3f}")
    if fails:
        lo, hi = fails[0], fails[-1]
        print(f"window_s\t{hi - lo:.0f}")
        print(f"window_share_of_span\t{(hi - lo) / max(span, 1e-9):.3f}")
        print(f"window_start_share\t{(lo - first) / max(span, 1e-9):.3f}")
        print(f"window_bytes_share\t{(fail_bytes[-1] - fail_bytes[0]) / max(c['bytes'], 1):.3f}")
        print(f"window_bytes_start_share\t{fail_bytes[0] / max(c['bytes'], 1):.3f}")
        print(f"messages_per_s\t{c['messages'] / max(span, 1e-9):.1f}")
        inside = [failed for t, failed in remote_results if lo <= t <= hi]
        print(f"remote_results_in_window\t{len(inside)}")
        print(f"remote_failing_share_in_window\t{sum(inside) / max(len(inside), 1):.3f}")
        print(f"signature_per_mb\t{c['signature_failures'] / (c['bytes'] / 1e6):.1f}")
    print(f"bounces_per_signature_failure\t{c['bounce_msg'] / max(c['signature_failures'], 1):.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
