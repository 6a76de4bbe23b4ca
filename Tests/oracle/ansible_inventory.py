"""What ansible-core itself makes of an inventory: the oracle for lvmguard's inventory reading.

Usage: python ansible_inventory.py INVENTORY PATTERN...   (run with the venv python that has ansible-core)
Prints one JSON document:
  patterns: each PATTERN -> the hosts `ansible PATTERN --list-hosts` names, sorted
  hosts:    each host of `all` -> how Ansible connects to it, read from what Ansible actually runs:
            connection (ssh/local), address, port, user, key, become, become_user, argv (the ssh words)
No host is contacted: ssh is a stand-in (ANSIBLE_SSH_EXECUTABLE) that records its arguments and fails.
"""
import json, os, re, shutil, subprocess, sys, tempfile

inventory, patterns = sys.argv[1], sys.argv[2:]
bindir = os.path.dirname(os.path.abspath(sys.executable))
work = tempfile.mkdtemp(prefix="lvmguard-oracle-")
fake = os.path.join(work, "ssh")
config = os.path.join(work, "ansible.cfg")
with open(config, "w") as f:
    f.write("[defaults]\n")
with open(fake, "w") as f:
    f.write('#!/bin/sh\nprintf "%s\\0" "$@" > "$(dirname "$0")/call.$$"\necho "ssh: connect to host stand-in: Connection refused" >&2\nexit 255\n')
os.chmod(fake, 0o755)
env = dict(os.environ, ANSIBLE_SSH_EXECUTABLE=fake, ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_TIMEOUT="2",
           ANSIBLE_SSH_RETRIES="0", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="False",
           ANSIBLE_INVENTORY_UNPARSED_WARNING="False", ANSIBLE_CONFIG=config, ANSIBLE_LOCAL_TEMP=work,
           ANSIBLE_SSH_CONTROL_PATH_DIR=work, HOME=work)

def hosts_of(pattern):
    out = subprocess.run([os.path.join(bindir, "ansible"), pattern, "-i", inventory, "--list-hosts"],
                         capture_output=True, text=True, env=env, timeout=120)
    return sorted(line.strip() for line in out.stdout.splitlines()[1:] if line.startswith("    "))

result = {"patterns": {p: hosts_of(p) for p in patterns}, "hosts": {}}

# Every host runs `echo LVMGUARD-HOST-<name>`: local hosts print it, ssh hosts hand it to the stand-in.
run = subprocess.run([os.path.join(bindir, "ansible"), "all", "-i", inventory, "-m", "raw", "-f", "50",
                      "-a", "echo LVMGUARD-HOST-{{ inventory_hostname }}"],
                     capture_output=True, text=True, env=env, timeout=300)
for name in re.findall(r"^LVMGUARD-HOST-(\S+)", run.stdout, re.M):
    result["hosts"][name] = {"connection": "local"}
for call in sorted(os.listdir(work)):
    if not call.startswith("call."):
        continue
    argv = open(os.path.join(work, call), "rb").read().decode().split("\0")[:-1]
    marker = re.search(r"LVMGUARD-HOST-([^\s'\"]+)", argv[-1] if argv else "")
    if not marker:
        continue
    options = {}
    for i, word in enumerate(argv[:-1]):
        if word == "-o" and "=" in argv[i + 1]:
            key, value = argv[i + 1].split("=", 1)
            options.setdefault(key, value.strip('"'))
    become = re.search(r"sudo .*?-u (\S+)", argv[-1])
    result["hosts"][marker.group(1)] = {
        "connection": "ssh", "address": argv[-2], "port": int(options["Port"]) if "Port" in options else None,
        "user": options.get("User"), "key": options.get("IdentityFile"),
        "become": bool(become), "become_user": become.group(1) if become else None, "argv": argv[1:-2]}
shutil.rmtree(work, ignore_errors=True)
print(json.dumps(result, indent=1, sort_keys=True))
