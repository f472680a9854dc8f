#!/usr/bin/python3
"""dns_stub.py: a tiny DNS server on loopback for the MX tests: answers MX queries from a table
given on the command line, with raw DNS packets (no library).

usage: dns_stub.py PORTFILE DOMAIN=PREF:HOST,PREF:HOST ... [nomx=DOMAIN] ...
Writes the UDP port it listens on to PORTFILE. Unknown names get NXDOMAIN; a name given as
DOMAIN= (empty list) exists but has no MX records (NOERROR, empty answer)."""
import socket
import struct
import sys


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_question(packet):
    pos, labels = 12, []
    while True:
        n = packet[pos]
        pos += 1
        if n == 0:
            break
        labels.append(packet[pos:pos + n].decode("ascii", "replace"))
        pos += n
    qtype, qclass = struct.unpack("!HH", packet[pos:pos + 4])
    return ".".join(labels).lower(), qtype, pos + 4


def main():
    portfile, specs = sys.argv[1], sys.argv[2:]
    table = {}
    for spec in specs:
        domain, _, hosts = spec.partition("=")
        entries = []
        for item in filter(None, hosts.split(",")):
            pref, _, host = item.partition(":")
            entries.append((int(pref), host))
        table[domain.lower().rstrip(".")] = entries
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    with open(portfile + ".tmp", "w") as f:
        f.write(str(sock.getsockname()[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    while True:
        packet, peer = sock.recvfrom(4096)
        if len(packet) < 12:
            continue
        qid, flags = struct.unpack("!HH", packet[:4])
        name, qtype, end = parse_question(packet)
        question = packet[12:end]
        answers = []
        rcode = 0
        if name not in table:
            rcode = 3
        elif qtype == 15:
            for pref, host in table[name]:
                rdata = struct.pack("!H", pref) + encode_name(host)
                answers.append(b"\xc0\x0c" + struct.pack("!HHIH", 15, 1, 300, len(rdata)) + rdata)
        rflags = 0x8000 | (flags & 0x0100) | 0x0400 | 0x0080 | rcode
        header = struct.pack("!HHHHHH", qid, rflags, 1, len(answers), 0, 0)
        sock.sendto(header + question + b"".join(answers), peer)


if __name__ == "__main__":
    main()
