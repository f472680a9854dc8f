#!/usr/bin/python3
"""hostile_dns.py: a misbehaving DNS server on a free UDP port of 127.0.0.1, for the MX look-ups
of `smtpscope mx DOMAIN --dns-server` and `smtpscope @DOMAIN`. Prints its port on the first line
of standard output and answers every query the way MODE says, until killed or for 60 seconds.

usage: hostile_dns.py MODE
modes:
  esc-name    MX host names whose labels carry escape sequences, NUL, DEL and 8-bit bytes
  loop        an MX name that is a compression pointer to itself
  pointer-out an MX name pointing past the end of the message
  truncated   the answer cut off in the middle of a record
  many        600 MX records (a UDP answer far over 512 bytes)
  bad-rdlen   MX records whose length says less than the data holds (and one that says more)
  garbage     random bytes, with the query's ID so the resolver reads them
"""

import os
import random
import socket
import struct
import sys
import time


def name(labels):
    out = b""
    for label in labels:
        out += bytes([len(label)]) + label
    return out + b"\0"


def question_end(packet):
    pos = 12
    while packet[pos] != 0:
        pos += 1 + packet[pos]
    return pos + 5


def mx_rr(pref, rdata_name, rdlen=None):
    rdata = struct.pack("!H", pref) + rdata_name
    n = len(rdata) if rdlen is None else rdlen
    return struct.pack("!HHHIH", 0xC00C, 15, 1, 300, n) + rdata


def answer(mode, query):
    qid = query[:2]
    question = query[12:question_end(query)]
    if mode == "garbage":
        return qid + bytes(random.Random(1).getrandbits(8) for _ in range(400))
    records = []
    if mode == "esc-name":
        records = [mx_rr(10, name([b"mx\x1b[31mred", b"evil\x00nul", b"test"])),
                   mx_rr(20, name([b"\x1b]0;DNS-TITLE\x07", b"x\x7f\x9b\xff", b"test"]))]
    elif mode == "loop":
        # The name starts right after the 2-byte preference: point there, to itself.
        start = 12 + len(question) + 12 + 2
        records = [mx_rr(10, struct.pack("!H", 0xC000 | start))]
    elif mode == "pointer-out":
        records = [mx_rr(10, struct.pack("!H", 0xC000 | 0x3FF0))]
    elif mode == "truncated":
        full = mx_rr(10, name([b"mx1", b"example", b"test"])) * 3
        records = [full[:len(full) - 7]]
    elif mode == "many":
        records = [mx_rr(i % 100, name([b"mx%03d" % i, b"t"])) for i in range(600)]
    elif mode == "bad-rdlen":
        records = [mx_rr(10, name([b"short", b"test"]), rdlen=4),
                   mx_rr(20, name([b"long", b"test"]), rdlen=200)]
    count = len(records) if mode != "truncated" else 3
    header = qid + struct.pack("!HHHHH", 0x8180, 1, count, 0, 0)
    return header + question + b"".join(records)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    mode = sys.argv[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1], flush=True)
    end = time.time() + 60
    while time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            query, peer = s.recvfrom(65536)
        except socket.timeout:
            break
        try:
            s.sendto(answer(mode, query), peer)
        except (IndexError, OSError):
            pass
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
