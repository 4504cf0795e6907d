"""Drives a baresip (Debian's baresip-core, a real SIP user agent) for
sipmed's tests: starts it on a configuration directory, sends commands
over its ctrl_tcp socket (netstring-framed JSON) and waits for its
events. Written for these tests."""
import json
import socket
import subprocess
import time


class Baresip:
    def __init__(self, confdir, ctrl_port, log):
        self.log = open(log, "w")
        self.proc = subprocess.Popen(["baresip", "-f", confdir, "-v"], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.events, self.buf = [], b""
        deadline = time.time() + 10
        while True:
            try:
                self.s = socket.create_connection(("127.0.0.1", ctrl_port), timeout=1)
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("baresip did not start (%s)" % log)
                time.sleep(0.05)

    def _read(self, wait):
        """The next netstring's JSON object, or None after wait seconds."""
        deadline = time.time() + wait
        while True:
            colon = self.buf.find(b":")
            if colon > 0:
                n = int(self.buf[:colon])
                if len(self.buf) >= colon + 1 + n + 1:
                    obj = json.loads(self.buf[colon + 1:colon + 1 + n])
                    self.buf = self.buf[colon + 1 + n + 1:]
                    return obj
            left = deadline - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            self.buf += data

    def command(self, cmd, params="", wait=5.0):
        """Runs a command; returns its response's data, or None."""
        body = json.dumps({"command": cmd, "params": params, "token": cmd}).encode()
        self.s.sendall(b"%d:%s," % (len(body), body))
        deadline = time.time() + wait
        while time.time() < deadline:
            obj = self._read(deadline - time.time())
            if obj is None:
                return None
            if obj.get("response"):
                return obj.get("data", "")
            self.events.append(obj)
        return None

    def wait_event(self, kind, wait=10.0, param=None):
        """The first event of type kind (and with param in it, if given)
        seen since the last wait for it; None after wait seconds."""
        deadline = time.time() + wait
        while True:
            for i, e in enumerate(self.events):
                if e.get("type") == kind and (param is None or param in json.dumps(e)):
                    del self.events[:i + 1]
                    return e
            obj = self._read(deadline - time.time())
            if obj is None:
                return None
            if obj.get("event"):
                self.events.append(obj)

    def stop(self):
        try:
            self.command("quit", wait=1.0)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
