#!/usr/bin/env python3
"""make-golden.py: record the golden sessions again (not part of make check).

Each scenario runs a real program through 'agentrun run' inside tmux, drives
it with send-keys, and at checkpoints captures the pane: that capture is
what a real terminal showed. The recording is exported as NAME.cast
(asciicast v3) and each checkpoint becomes NAME@T.txt, T being the offset
into the session at the checkpoint (inside an idle pause). The script then
checks that 'agentrun text --at T NAME.cast' gives that text, and says
where it does not (a libtsm 4.0.2 difference to look at before committing).

usage: tests/data/golden/make-golden.py [SCENARIO...]   (from the repo root)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
HERE = os.path.join(ROOT, "tests", "data", "golden")
AGENTRUN = os.path.join(ROOT, "build", "agentrun")


class Scenario:
    def __init__(self, tmp, name, cols=80, rows=24):
        self.tmp = tmp
        self.name = name
        self.sock = os.path.join(tmp, "tmux.sock")
        self.cols, self.rows = cols, rows
        self.checkpoints = []
        self.env = dict(os.environ, HOME=os.path.join(tmp, "home"),
                        XDG_DATA_HOME=os.path.join(tmp, "data"),
                        XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                        XDG_STATE_HOME=os.path.join(tmp, "state"),
                        LC_ALL="C.UTF-8", TERM="xterm-256color")
        os.makedirs(self.env["HOME"], exist_ok=True)

    def tm(self, *args):
        return subprocess.run(["tmux", "-S", self.sock] + list(args),
                              env=self.env, check=True,
                              stdout=subprocess.PIPE).stdout.decode()

    def start(self, *cmd):
        envs = ["env"] + ["%s=%s" % (k, self.env[k]) for k in
                          ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
                           "XDG_STATE_HOME", "LC_ALL", "TERM")]
        self.tm("-f", "/dev/null", "new-session", "-d", "-s", "t",
                "-x", str(self.cols), "-y", str(self.rows),
                *envs, AGENTRUN, "-q", "--backend", "local", "run", "--",
                *cmd)
        self.tm("set-option", "-t", "t", "remain-on-exit", "on")
        time.sleep(0.8)

    def keys(self, *keys, pause=0.3):
        for k in keys:
            self.tm("send-keys", "-t", "t", k)
            time.sleep(pause)

    def literal(self, text, pause=0.3):
        self.tm("send-keys", "-t", "t", "-l", text)
        time.sleep(pause)

    def resize(self, cols, rows):
        self.tm("resize-window", "-t", "t", "-x", str(cols), "-y", str(rows))
        time.sleep(0.8)

    def checkpoint(self, label):
        time.sleep(0.7)			# let it settle: an idle pause
        pane = self.tm("capture-pane", "-p", "-t", "t")
        self.checkpoints.append((label, time.time(), pane))
        time.sleep(0.7)

    def finish(self):
        for _ in range(100):
            if self.tm("display", "-p", "-t", "t", "#{pane_dead}").strip() \
                    == "1":
                break
            time.sleep(0.1)
        self.tm("kill-server")


def trim(text):
    lines = [l.rstrip(" ") for l in text.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    return "".join(l + "\n" for l in lines)


def run_agentrun(env, *args):
    return subprocess.run([AGENTRUN] + list(args), env=env,
                          stdout=subprocess.PIPE, check=True).stdout.decode()


def save(sc):
    store = os.path.join(sc.env["XDG_DATA_HOME"], "agentrun", "sessions")
    side = [f for f in os.listdir(store) if f.endswith(".json")]
    assert len(side) == 1, side
    meta = json.load(open(os.path.join(store, side[0])))
    start = meta["start"]
    if isinstance(start, str):		# ISO time
        import datetime
        start = datetime.datetime.fromisoformat(
            start.replace("Z", "+00:00")).timestamp()
    else:
        start = start / 1e6 if start > 1e11 else start
    cast = os.path.join(HERE, sc.name + ".cast")
    with open(cast, "w") as f:
        f.write(run_agentrun(sc.env, "export", "latest", "--format", "cast"))
    for old in os.listdir(HERE):
        if old.startswith(sc.name + "@"):
            os.unlink(os.path.join(HERE, old))
    ok = True
    for label, when, pane in sc.checkpoints:
        t = round(when - start, 1)
        want = trim(pane)
        path = os.path.join(HERE, "%s@%s.txt" % (sc.name, t))
        with open(path, "w") as f:
            f.write(want)
        got = run_agentrun(sc.env, "text", "--at", str(t), cast)
        if got != want:
            ok = False
            print("%s@%s (%s): agentrun text differs from tmux:" %
                  (sc.name, t, label))
            sys.stdout.writelines(
                __import__("difflib").unified_diff(
                    want.splitlines(True), got.splitlines(True),
                    "tmux", "agentrun text"))
        else:
            print("%s@%s (%s): ok" % (sc.name, t, label))
    return ok


def vi(sc):
    sc.start("vi", "-u", "NONE", "-N", "-i", "NONE",
             os.path.join(sc.tmp, "notes.txt"))
    sc.keys("i")
    sc.literal("first line of the notes\r")
    sc.literal("second line, with some more words\r")
    sc.literal("third")
    sc.checkpoint("insert mode")
    sc.keys("Escape", ":set number", "Enter")
    sc.checkpoint("line numbers")
    sc.keys("gg", "dd")
    sc.checkpoint("deleted a line")
    sc.keys(":wq", "Enter")
    sc.finish()


def less(sc):
    path = os.path.join(sc.tmp, "long.txt")
    with open(path, "w") as f:
        for i in range(1, 301):
            f.write("line %d: the quick brown fox jumps over the lazy dog\n"
                    % i)
    sc.start("less", path)
    sc.checkpoint("first page")
    sc.keys("Space")
    sc.checkpoint("second page")
    sc.keys("/fox jumps over the lazy dog", "Enter")
    sc.checkpoint("search")
    sc.keys("G")
    sc.checkpoint("end")
    sc.keys("q")
    sc.checkpoint("after quit")
    sc.finish()


PROGRESS = r'''
for i in $(seq 0 5 100); do
  n=$((i / 5))
  bar=$(printf '%*s' "$n" '' | tr ' ' '#')
  pad=$(printf '%*s' "$((20 - n))" '')
  printf '\r\033[1;38;2;%d;%d;80m[%s%s]\033[0m \033[38;5;%dm%3d%%\033[0m' \
    $((255 - i * 2)) $((i * 2)) "$bar" "$pad" $((196 + n % 6)) "$i"
  sleep 0.05
done
printf '\n\033[32mdone\033[0m: \033[4munderlined\033[24m \033[7minverse\033[27m \033[44;97m blue \033[0m\n'
sleep 4
'''


def progress(sc):
    sc.start("sh", "-c", PROGRESS)
    time.sleep(1.5)
    sc.checkpoint("finished bar")
    sc.finish()


ALT = r'''
printf 'on the main screen\n'
sleep 0.8
printf '\033[?1049h\033[H\033[2Jin the alternate screen\n\033[5;10Hat row 5\n'
sleep 1.6
printf '\033[?1049lback on the main screen\n'
sleep 1.6
'''


def alt(sc):
    sc.start("sh", "-c", ALT)
    time.sleep(0.2)
    sc.checkpoint("alternate")
    time.sleep(0.3)
    sc.checkpoint("main again")
    sc.finish()


WIDE = r'''
printf '中文字符 and 日本語のテキスト\n'
printf 'box: ┌──┬──┐\n     │ab│cd│\n     └──┴──┘\n'
printf 'mixed: a中b文c 한국어 end\n'
printf '\033[31m红色\033[0m plain \033[1;32m绿色\033[0m\n'
printf 'overwrite: ABCD\r\033[11C中\n'
sleep 2
'''


def wide(sc):
    sc.start("sh", "-c", WIDE)
    sc.checkpoint("wide characters")
    sc.finish()


RESIZE = r'''
show() { printf '\033[H\033[2J'; printf 'size %s\n' "$(stty size)"; i=0; while [ $i -lt 3 ]; do printf 'row %d of the redraw\n' $i; i=$((i + 1)); done; }
trap show WINCH
show
i=0; while [ $i -lt 40 ]; do sleep 0.1; i=$((i + 1)); done
'''


def resize(sc):
    sc.start("sh", "-c", RESIZE)
    sc.checkpoint("80x24")
    sc.resize(50, 12)
    sc.checkpoint("50x12")
    sc.resize(70, 20)
    sc.checkpoint("70x20")
    sc.finish()


SCENARIOS = {"vi": vi, "less": less, "progress": progress, "alt": alt,
             "wide": wide, "resize": resize}


def main():
    names = sys.argv[1:] or list(SCENARIOS)
    ok = True
    for name in names:
        tmp = tempfile.mkdtemp(prefix="golden-")
        try:
            sc = Scenario(tmp, name)
            SCENARIOS[name](sc)
            ok = save(sc) and ok
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
