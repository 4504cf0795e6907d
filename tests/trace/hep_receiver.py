#!/usr/bin/env python3
"""A HEP capture server for the tests: receives datagrams on 127.0.0.1:PORT
and writes each one whole, as received, into a pcap file of link type
USER0 (147), where tests/trace/hep3.lua decodes them. Runs until killed;
the file is flushed after every datagram.

usage: hep_receiver.py PORT FILE
"""
import socket
import struct
import sys
import time

port, path = int(sys.argv[1]), sys.argv[2]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", port))
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 147))
    f.flush()
    print("listening", flush=True)
    while True:
        data = sock.recv(65535)
        now = time.time()
        f.write(struct.pack("<IIII", int(now), int(now % 1 * 1e6), len(data), len(data)))
        f.write(data)
        f.flush()
