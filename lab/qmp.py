#!/usr/bin/env python3
"""Talks to a lab VM's QEMU over its QMP socket (lab/lib.sh starts every VM with one).

Usage: lab/qmp.py SOCKET save FILE   pause the VM and write its RAM and device state to FILE (zstd), paused after
       lab/qmp.py SOCKET cont        run again (after save: takes the disks back, as QEMU allows after a migration)
       lab/qmp.py SOCKET resume      wait until a VM started with -incoming has loaded its state (saved paused), then run
       lab/qmp.py SOCKET status      print the run state (running, paused, postmigrate, inmigrate, ...)
       lab/qmp.py SOCKET hotplug FILE SERIAL   plug raw image FILE in as a virtio disk with SERIAL, as a disk added
                                     to a running host (lab/lib.sh's start_qemu attaches the host's extra.img at boot)
Exits non-zero, saying why on stderr, when QEMU refuses or a save does not complete within 300 s.
"""
import json
import shlex
import socket
import sys
import time


class QMP:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(path)
        self.reader = self.sock.makefile("r")
        self.read()  # the greeting
        self.execute("qmp_capabilities")

    def read(self):
        line = self.reader.readline()
        if not line:
            raise SystemExit("qmp: QEMU closed the monitor")
        return json.loads(line)

    def execute(self, command, **arguments):
        self.sock.sendall(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
        while True:
            reply = self.read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise SystemExit(f"qmp: {command}: {reply['error'].get('desc')}")
            # an event: not the answer


def save(qmp, path):
    qmp.execute("stop")
    qmp.execute("migrate", uri="exec:zstd -q -1 -T1 -o " + shlex.quote(path))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        state = qmp.execute("query-migrate").get("status")
        if state == "completed":
            return
        if state in ("failed", "cancelled"):
            raise SystemExit(f"qmp: saving the VM's state to {path}: {state}")
        time.sleep(0.1)
    raise SystemExit(f"qmp: saving the VM's state to {path} did not complete within 300 s")


def resume(qmp):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = qmp.execute("query-status")["status"]
        if status == "paused":
            qmp.execute("cont")
            return
        if status not in ("inmigrate", "prelaunch"):
            raise SystemExit(f"qmp: resuming: the VM is {status}, not a loaded state")
        time.sleep(0.05)
    raise SystemExit("qmp: resuming: the state did not load within 120 s")


def hotplug(qmp, path, serial):
    node = "hotplug-" + serial.lower()
    qmp.execute("blockdev-add", driver="raw", **{"node-name": node}, file={"driver": "file", "filename": path})
    qmp.execute("device_add", driver="virtio-blk-pci", drive=node, id=node, serial=serial)


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    qmp = QMP(argv[1])
    command = argv[2]
    if command == "save" and len(argv) == 4:
        save(qmp, argv[3])
    elif command == "resume":
        resume(qmp)
    elif command == "cont":
        qmp.execute("cont")
    elif command == "hotplug" and len(argv) == 5:
        hotplug(qmp, argv[3], argv[4])
    elif command == "status":
        print(qmp.execute("query-status")["status"])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
