#!/usr/bin/env python3
"""A minimal agent-harness loop around sbxrun (Python 3, standard library only).

Runs COMMAND through sbxrun with --status-fd, reads the status document, and
  - needs_approval: shows the reason, the path, the symlink and its target and sbxrun's
    suggestion, and offers to run again with the suggested policy change (for example
    filesystem.symlinks = "pin"), added as one more --policy layer;
  - unavailable: shows why no sandbox can run here and how to find the fix;
  - the command ran and failed after the sandbox refused writes outside the writable roots or
    hosts the network policy does not allow: shows them and offers to run again with sbxrun's
    suggestion_policy (the directories and hosts the command wanted) as one more --policy layer;
  - anything else: passes the exit status through.

usage: harness.py [--yes | --no] [--sbxrun PATH] [--policy FILE]... [--workspace DIR]
                  [--] COMMAND [ARG...]

The answer to the prompt comes from --yes/--no, else $SBXRUN_HARNESS_ANSWER (yes|no), else the
terminal; without a terminal the answer is no. $SBXRUN names the sbxrun binary (default: sbxrun
in PATH). The harness's own messages go to stderr: stdout belongs to the command.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

# "set filesystem.symlinks = "pin" or ..." -> ("filesystem.symlinks", '"pin"')
SUGGESTED_SETTING = re.compile(r'\bset ([A-Za-z_]+(?:\.[A-Za-z_]+)+) = ("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.]+)')
MAX_ATTEMPTS = 3


def say(text=""):
    print(text, file=sys.stderr, flush=True)


def parse_args(argv):
    opts = {"answer": os.environ.get("SBXRUN_HARNESS_ANSWER", "").lower() or None,
            "sbxrun": os.environ.get("SBXRUN", "sbxrun"), "sbxrun_args": [], "command": []}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            opts["command"] = argv[i + 1:]
            break
        if a in ("--yes", "--no"):
            opts["answer"] = a[2:]
        elif a in ("--sbxrun", "--policy", "--workspace") and i + 1 < len(argv):
            if a == "--sbxrun":
                opts["sbxrun"] = argv[i + 1]
            else:
                opts["sbxrun_args"] += [a, argv[i + 1]]
            i += 1
        elif a.startswith("-"):
            raise SystemExit(f"harness: unknown option {a!r} (see the usage at the top of {__file__})")
        else:
            opts["command"] = argv[i:]
            break
        i += 1
    if not opts["command"]:
        raise SystemExit("harness: no command given")
    if opts["answer"] not in (None, "yes", "no"):
        raise SystemExit("harness: SBXRUN_HARNESS_ANSWER must be yes or no")
    return opts


def run_sandboxed(sbxrun, sbxrun_args, command):
    """Run once; return (exit status, status document or None)."""
    read_end, write_end = os.pipe()
    try:
        child = subprocess.Popen([sbxrun, "--status-fd", str(write_end), *sbxrun_args, "--", *command],
                                 pass_fds=(write_end,))
    except OSError as e:
        os.close(read_end)
        os.close(write_end)
        say(f"harness: cannot start {sbxrun}: {e.strerror}")
        return 127, None
    os.close(write_end)
    # Read to EOF before waiting: a large document must not block sbxrun on a full pipe.
    chunks = []
    with os.fdopen(read_end, "rb") as status:
        for chunk in iter(lambda: status.read(65536), b""):
            chunks.append(chunk)
    code = child.wait()
    if code < 0:  # sbxrun itself was killed by a signal
        code = 128 - code
    try:
        doc = json.loads(b"".join(chunks).decode())
        if doc.get("sbxrun_status") != 1:
            raise ValueError("not an sbxrun status document, version 1")
    except ValueError as e:
        say(f"harness: no usable status document ({e}); passing exit status {code} through")
        return code, None
    return code, doc


def show(doc, heading):
    say(f"harness: {heading}")
    for key in ("reason", "path", "symlink", "target", "suggestion"):
        if doc.get(key):
            lines = [line.strip() for line in str(doc[key]).splitlines()]
            say(f"  {key + ':':<12}" + ("\n" + " " * 14).join(lines))


def ask(question, answer):
    if answer is None:
        if not sys.stdin.isatty():
            say(f"{question} [y/N] no (not interactive; pass --yes to approve)")
            return False
        try:
            reply = input(f"{question} [y/N] ")
        except EOFError:
            reply = ""
        return reply.strip().lower() in ("y", "yes")
    say(f"{question} [y/N] {answer}")
    return answer == "yes"


def policy_layer(setting, value):
    """A one-key sbxrun policy file: later --policy files override earlier ones key by key."""
    *tables, key = setting.split(".")
    text = "version = 1\n"
    if tables:
        text += "[" + ".".join(tables) + "]\n"
    text += f"{key} = {value}\n"
    return policy_file(text)


def policy_file(text):
    fd, path = tempfile.mkstemp(prefix="sbxrun-approved-", suffix=".toml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def main(argv):
    opts = parse_args(argv)
    sbxrun_args = list(opts["sbxrun_args"])
    layers = []
    try:
        for _ in range(MAX_ATTEMPTS):
            code, doc = run_sandboxed(opts["sbxrun"], sbxrun_args, opts["command"])
            if doc is None:
                return code
            outcome = doc.get("outcome")
            if outcome == "unavailable":
                show(doc, "no sandbox can run this command on this host")
                if "--doctor" not in (doc.get("reason") or "") + (doc.get("suggestion") or ""):
                    say("  run 'sbxrun --doctor' for the cause and the fix")
                return code
            if outcome != "needs_approval":
                layer = doc.get("suggestion_policy")
                if code == 0 or not layer:
                    return code  # the command ran (or sbxrun refused the invocation): pass it on
                # The command failed, and the sandbox refused it writes outside the writable
                # roots or hosts off the allowlist: sbxrun suggests the policy layer that
                # would have allowed them.
                say("harness: the command failed after the sandbox refused it:")
                for d in doc["denials"]["filesystem"][:5]:
                    say(f"  {d['op']} {d['path']} ({d['why']}, {d['count']}x)")
                for d in doc["denials"]["network"][:5]:
                    say(f"  {d['op']} {d['host']}")
                say("  suggested policy layer:\n    " + layer.strip().replace("\n", "\n    "))
                if not ask("Run again with this policy layer?", opts["answer"]):
                    return code
                layers.append(policy_file(layer))
                sbxrun_args += ["--policy", layers[-1]]
                continue
            show(doc, "the sandbox needs your approval before it can run this command")
            m = SUGGESTED_SETTING.search(doc.get("suggestion") or "")
            if not m:
                say("  (no policy change to offer; change the policy and run again)")
                return code
            setting, value = m.group(1), m.group(2)
            if not ask(f"Run again with {setting} = {value}?", opts["answer"]):
                return code
            layers.append(policy_layer(setting, value))
            sbxrun_args += ["--policy", layers[-1]]
        say(f"harness: still not approved after {MAX_ATTEMPTS} attempts")
        return code
    finally:
        for path in layers:
            os.unlink(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
