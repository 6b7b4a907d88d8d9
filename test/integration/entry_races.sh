#!/bin/bash
# Entry calls that race with each other in a directory without a Landlock rule of its own (the
# workspace top, where the protected names live, and what is made beneath it during the run),
# on both backends: the brokers (inner/entry_broker.hpp under bwrap, run/entry_notify.hpp under
# Landlock) must answer them as the kernel would at some instant, never with Landlock's EACCES
# for a call that only lost a race. `npm ci` in a fresh workspace failed so: Node's recursive
# mkdir tries the deepest directory first, its threads race, and an ENOENT the broker let the
# kernel repeat became EACCES once another thread had made the parent meanwhile.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
make_workspace

# The racing program, in the workspace (the runner must read it). Each round: THREADS threads
# retry one call while it fails with the error the race allows, while the main thread makes
# what it waits for; any other error is printed and fails the run.
cat >"$FIX/races.py" <<'PY'
import errno, os, sys, threading, time
kind, rounds, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bad = []
def deep_first(base, i):  # mkdir or create beneath a directory another thread makes
    p = "%s/x%d" % (base, i)
    while True:
        try:
            if i % 2:
                os.mkdir(p)
            else:
                os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
            return
        except FileNotFoundError:
            continue
        except OSError as e:
            bad.append("%s: %s" % (p, e)); return
def unlink_race(base, i):  # remove a file that appears meanwhile (ENOENT until then)
    p = "%s-f%d" % (base, i)
    while True:
        try:
            os.unlink(p); return
        except FileNotFoundError:
            continue
        except OSError as e:
            bad.append("%s: %s" % (p, e)); return
def rename_race(base, i):  # move a file that appears meanwhile
    p = "%s-r%d" % (base, i)
    while True:
        try:
            os.rename(p, p + ".moved"); return
        except FileNotFoundError:
            continue
        except OSError as e:
            bad.append("%s: %s" % (p, e)); return
for r in range(rounds):
    base = "new%d" % r
    fn = {"deep": deep_first, "unlink": unlink_race, "rename": rename_race}[kind]
    ts = [threading.Thread(target=fn, args=(base, i)) for i in range(threads)]
    for t in ts: t.start()
    time.sleep(0.02)
    if kind == "deep":
        os.mkdir(base)
    else:
        for i in range(threads):
            open("%s-%s%d" % (base, "f" if kind == "unlink" else "r", i), "w").close()
    for t in ts: t.join()
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
own_fix

for backend in bwrap landlock; do
    if ! (cd "$WS" && as_runner "$SBXRUN" --backend "$backend" -- true) >/dev/null 2>&1; then
        ok "# SKIP $backend: the backend cannot run here as $SBXRUN_AS"
        continue
    fi
    for kind in deep unlink rename; do
        sbx --backend "$backend" -- python3 "$FIX/races.py" "$kind" 12 8
        expect_rc 0 "$backend: $kind: racing entry calls at the workspace top get the kernel's answers"
        [ "$RC" = 0 ] || sed 's/^/#   /' "$OUT" | head -5
    done
    check "  $backend: every directory made" test "$(find "$WS"/new* -mindepth 1 -maxdepth 1 | wc -l)" = 96
    check "  $backend: every file moved" test "$(find "$WS" -maxdepth 1 -name 'new*-r*.moved' | wc -l)" = 96
    check "  $backend: every removed file gone" test -z "$(find "$WS" -maxdepth 1 -name 'new*-f*')"
    check "  $backend: .git untouched" test "$(cat "$WS/.git/config")" = "[core]"
    rm -rf "$WS"/new*
done
done_testing
