#!/usr/bin/env python3
# tests/bench/bench.py: the measurements behind `make bench`, started by
# tests/bench/run.sh (which installs the baselines, builds the C helpers and
# makes the temporary work folder). Runs every recorder on the same PTY
# (ptydrive), interleaved and several times, checks what each one captured,
# times agentrun's own read-side commands, and writes one table.
# Only ratios within one run compare: the machine is shared.
import json
import mmap
import os
import random
import re
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import time

ROOT = os.environ["BENCH_ROOT"]
BIN = os.environ["BENCH_BIN"]
W = os.environ["BENCH_WORK"]
# a private copy: others may rebuild the tree's binary during the run
AGENTRUN = os.path.join(W, "agentrun")
shutil.copy2(os.environ["AGENTRUN"], AGENTRUN)
OUT = os.environ.get("BENCH_OUT", os.path.join(ROOT, "tests/bench/results.md"))
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
RUNS = int(os.environ.get("BENCH_RUNS", "1" if QUICK else "11"))
SECTIONS = os.environ.get("BENCH_SECTIONS", "a b lat tools ls warm rss").split()
# the order of the recorders in each round is shuffled with this seed
SEED = int(os.environ.get("BENCH_SEED", "1"))

SIZE_A = 5_000_000 if QUICK else 100_000_000
SIZE_B = 1_000_000 if QUICK else 20_000_000
KEYS = 300 if QUICK else 1000
LAT_RUNS = 1 if QUICK else 6
TOOL_RUNS = 1 if QUICK else 3
LS_SESSIONS = 1000 if QUICK else 10000
LS_RUNS = 3 if QUICK else 7
WARM_RUNS = 3 if QUICK else 10
RSS_SIZES = [1_000_000, 20_000_000] if QUICK else [1_000_000, 1_000_000_000]
RSS_RUNS = 1 if QUICK else 3
TIMEOUT = 600

PTYDRIVE = os.path.join(BIN, "ptydrive")
BARELOOP = os.path.join(BIN, "bareloop")
WLGEN = os.path.join(BIN, "wlgen")
RUSAGE = os.path.join(BIN, "rusage.so")
MPSHIM = os.path.join(BIN, "mpshim")

RECORDERS = ["direct", "bare", "script", "ttyrec", "termrec", "asciinema",
             "no-record", "agentrun"]
# the cheapest configuration of each, writing its native format
FORMAT = {"script": "script", "ttyrec": "ttyrec", "termrec": "ttyrec",
          "asciinema": "cast", "agentrun": "castzst"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def have(name):
    if name in ("direct", "bare"):
        return True
    if name in ("agentrun", "no-record"):
        return os.access(AGENTRUN, os.X_OK)
    return shutil.which(name) is not None


AVAIL = [r for r in RECORDERS if have(r)]


def base_env():
    env = dict(os.environ)
    for k in list(env):
        if k.startswith(("MULTIPASS_", "BENCH_MP_", "ASAN_")):
            del env[k]
    home = os.path.join(W, "home")
    env.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               XDG_DATA_HOME=os.path.join(home, ".local/share"),
               XDG_STATE_HOME=os.path.join(home, ".local/state"),
               LC_ALL="C.UTF-8", LANG="C.UTF-8", TERM="xterm-256color",
               SHELL="/bin/sh")
    for d in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        os.makedirs(env[d], exist_ok=True)
    return env


ENV = base_env()
STORE = os.path.join(ENV["XDG_DATA_HOME"], "agentrun", "sessions")
SNAPS = os.path.join(ENV["XDG_STATE_HOME"], "agentrun", "snapshots")


def kv(line):
    return {k: v for k, v in (w.split("=", 1) for w in line.split()
                              if "=" in w)}


# ---------------------------------------------------------------- workloads

def make_expected(src, dst):
    """What a terminal receives: the PTY's ONLCR turns \\n into \\r\\n."""
    with open(src, "rb") as f, open(dst, "wb") as g:
        while True:
            chunk = f.read(1 << 22)
            if not chunk:
                break
            g.write(chunk.replace(b"\n", b"\r\n"))


def workloads():
    a = os.path.join(W, "a.txt")
    b = os.path.join(W, "b.txt")
    with open(a, "wb") as f:
        subprocess.run([WLGEN, "b64", str(SIZE_A)], stdout=f, check=True)
    with open(b, "wb") as f:
        st = subprocess.run([WLGEN, "agent", str(SIZE_B)], stdout=f,
                            stderr=subprocess.PIPE, check=True,
                            env=dict(os.environ, WLGEN_STATS="1"))
    m = re.search(rb"in (\d+) writes", st.stderr)
    nwrites = int(m.group(1)) if m else 0
    make_expected(a, a + ".exp")
    make_expected(b, b + ".exp")
    return {
        "a": {"cmd": ["cat", a], "exp": a + ".exp", "size": os.path.getsize(a),
              "desc": "%.0f MB of base64 text in 80-column lines, printed by "
                      "`cat`" % (os.path.getsize(a) / 1e6)},
        "b": {"cmd": [WLGEN, "agent", str(SIZE_B)], "exp": b + ".exp",
              "size": os.path.getsize(b), "writes": nwrites,
              "desc": "%.0f MB of agent-like output in %d write() calls "
                      "(SGR colours, cursor moves, status line, box drawing, "
                      "emoji, CJK), no sleeps" % (os.path.getsize(b) / 1e6,
                                                  nwrites)},
    }


# ---------------------------------------------------------------- recorders

def command(rec, cmd, out):
    line = shlex.join(cmd)
    if rec == "direct":
        return cmd
    if rec == "bare":
        return [BARELOOP] + cmd
    if rec == "script":
        return ["script", "-q", "-c", line, out]
    if rec == "ttyrec":
        return ["ttyrec", "-e", line, out]
    if rec == "termrec":
        return ["termrec", "-e", line, out]
    if rec == "asciinema":
        return ["asciinema", "rec", "-q", "--overwrite", "-c", line, out]
    if rec == "agentrun":
        return [AGENTRUN, "-q", "--backend", "local", "run", "--"] + cmd
    if rec == "no-record":
        return [AGENTRUN, "-q", "--backend", "local", "run", "--no-record",
                "--"] + cmd
    raise ValueError(rec)


def transcript_path(rec):
    if rec in ("direct", "bare", "no-record"):
        return None
    if rec == "agentrun":
        return None     # found in the store after the run
    ext = {"script": "typescript", "ttyrec": "ttyrec", "termrec": "ttyrec",
           "asciinema": "cast"}[rec]
    return os.path.join(W, "out-%s.%s" % (rec, ext))


def clear_store():
    shutil.rmtree(STORE, ignore_errors=True)
    shutil.rmtree(SNAPS, ignore_errors=True)


def indexers():
    """Pids of agentrun's background indexers (__index) started by this
    benchmark (their environment holds its XDG_STATE_HOME)."""
    want = b"XDG_STATE_HOME=" + ENV["XDG_STATE_HOME"].encode()
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv = f.read().split(b"\0")
            if argv[1:2] != [b"__index"]:
                continue
            with open("/proc/%s/environ" % d, "rb") as f:
                if want in f.read().split(b"\0"):
                    pids.append(int(d))
        except (OSError, IndexError):
            pass
    return pids


def wait_indexers():
    """Wait until agentrun's background indexing after a session is done
    (so it takes no CPU from the next run): seconds waited."""
    t = time.perf_counter()
    while indexers() and time.perf_counter() - t < TIMEOUT:
        time.sleep(0.02)
    return time.perf_counter() - t


def newest_cast():
    try:
        casts = [os.path.join(STORE, f) for f in os.listdir(STORE)
                 if f.endswith(".cast.zst")]
    except FileNotFoundError:
        return None
    return max(casts, key=os.path.getmtime) if casts else None


def ptydrive(argv, extra=(), env=None, cwd=None):
    rlog = os.path.join(W, "rusage.log")
    if os.path.exists(rlog):
        os.unlink(rlog)
    e = dict(env or ENV, BENCH_RUSAGE_LOG=rlog, LD_PRELOAD=RUSAGE)
    p = subprocess.run([PTYDRIVE, "-T", str(TIMEOUT)] + list(extra) + ["--"]
                       + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=e, cwd=cwd or W, timeout=TIMEOUT + 60)
    r = kv(p.stdout.decode())
    r["rc"] = p.returncode
    r["err"] = p.stderr.decode(errors="replace").strip()
    procs = []
    if os.path.exists(rlog):
        with open(rlog) as f:
            procs = [kv(x) for x in f]
    # the recorder: the child's own process and its forks (same program);
    # not the workload, a shell or helper programs it runs
    me = [x for x in procs if x.get("pid") == r.get("pid")]
    if me:
        exe = me[0]["exe"]
        mine = [x for x in procs if x.get("exe") == exe and
                x.get("pid") != str(os.getpid())]
        r["rec_rss_kb"] = max(int(x["maxrss_kb"]) for x in mine)
        r["rec_cpu_s"] = sum(float(x["user_s"]) + float(x["sys_s"])
                             for x in mine)
        for k in ("syscr", "syscw", "rchar", "wchar"):
            if all(k in x for x in mine):
                r["rec_" + k] = sum(int(x[k]) for x in mine)
    return r


# ------------------------------------------------------- capture checking

class Compare:
    """Feed the recorded output; how much of the expected bytes it
    reproduces, from the start, and whether it is exactly that."""

    def __init__(self, exp):
        self.exp = exp
        self.off = 0
        self.ok = True
        self.total = 0

    def feed(self, chunk):
        self.total += len(chunk)
        if not self.ok or not chunk:
            return
        seg = self.exp[self.off:self.off + len(chunk)]
        if seg == chunk:
            self.off += len(chunk)
            return
        i = 0
        n = min(len(seg), len(chunk))
        while i < n and seg[i] == chunk[i]:
            i += 1
        self.off += i
        self.ok = False


def cast_events(lines, cmp):
    first = True
    for line in lines:
        if first:
            first = False
            if line.startswith(b"{"):
                continue
        line = line.strip()
        if not line or line.startswith(b"#"):
            continue
        ev = json.loads(line)
        if len(ev) >= 3 and ev[1] == "o":
            cmp.feed(ev[2].encode("utf-8", "surrogatepass"))


def extract(fmt, path, cmp):
    if fmt == "script":
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith(b"Script started on "):
            data = data[data.index(b"\n") + 1:]
        i = data.rfind(b"\nScript done on ")
        if i >= 0:
            data = data[:i]
        cmp.feed(data)
    elif fmt == "ttyrec":
        with open(path, "rb") as f:
            data = f.read()
        off, first = 0, True
        while off + 12 <= len(data):
            n = struct.unpack_from("<I", data, off + 8)[0]
            frame = data[off + 12:off + 12 + n]
            off += 12 + n
            if first:
                # termrec starts with its own UTF-8 and window-size codes
                m = re.match(rb"(\x1b%G)?\x1b\[8;\d+;\d+t", frame)
                if m:
                    frame = frame[m.end():]
                    if not frame:
                        continue
                first = False
            cmp.feed(frame)
    elif fmt == "cast":
        with open(path, "rb") as f:
            cast_events(f, cmp)
    elif fmt == "castzst":
        p = subprocess.Popen(["zstd", "-dcq", path], stdout=subprocess.PIPE)
        cast_events(p.stdout, cmp)
        p.wait()


def check_capture(fmt, path, expfile):
    with open(expfile, "rb") as f:
        exp = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        cmp = Compare(exp)
        try:
            extract(fmt, path, cmp)
        except Exception as e:     # a broken file captured what it parsed
            log("  %s: %s" % (path, e))
        n = len(exp)
        exp.close()
    return {"captured": cmp.off / n if n else 1.0,
            "exact": cmp.ok and cmp.total == n}


# ---------------------------------------------------------- throughput

RES = {}        # (section, recorder) -> list of run dicts


def run_one(wl, rec, spec, last):
    out = transcript_path(rec)
    if out and os.path.exists(out):
        os.unlink(out)
    if rec == "agentrun":
        clear_store()
    os.sync()
    r = ptydrive(command(rec, spec["cmd"], out))
    if rec == "agentrun":
        out = newest_cast()
        # The snapshot cache is built in the background once the session
        # has ended: not part of the wall time, but let it finish first.
        r["index_s"] = wait_indexers()
    if r.get("status") != "0" or r["rc"] != 0:
        log("  %s on (%s): status %s rc %s %s" % (rec, wl, r.get("status"),
                                                  r["rc"], r["err"][:200]))
    if out and os.path.exists(out):
        r["transcript"] = os.path.getsize(out)
        r.update(check_capture(FORMAT[rec], out, spec["exp"]))
        if rec == "asciinema" and wl == "b":
            z = subprocess.run(["zstd", "-3", "-c", "-q", out],
                               stdout=subprocess.PIPE)
            r["zstd3"] = len(z.stdout)
        if rec == "agentrun" and last:
            keep = os.path.join(W, "keep-" + wl, "agentrun", "sessions")
            shutil.rmtree(keep, ignore_errors=True)
            os.makedirs(keep)
            for f in os.listdir(STORE):
                shutil.move(os.path.join(STORE, f), keep)
            snaps = os.path.join(W, "state-" + wl, "agentrun", "snapshots")
            shutil.rmtree(snaps, ignore_errors=True)
            if os.path.isdir(SNAPS):
                shutil.copytree(SNAPS, snaps)
        elif os.path.exists(out):
            os.unlink(out)
    elif rec not in ("direct", "bare", "no-record"):
        r["captured"] = 0.0
        r["exact"] = False
    return r


def throughput(wl, spec):
    """Paired runs: every recorder run sits next to a bare-loop run (in
    alternating order), and its ratio is to that neighbour, so a change in
    the machine's load between the two moments matters least."""
    others = [r for r in AVAIL if r != "bare"]
    seq = 0

    def one(rec, i, pair):
        nonlocal seq
        r = run_one(wl, rec, spec, i == RUNS - 1)
        r["round"] = i
        r["pair"] = pair
        seq += 1
        RES.setdefault((wl, rec), []).append(r)
        log("  (%s) run %d %-9s %7.3fs %s" % (
            wl, i + 1, rec, float(r.get("wall_s", "nan")),
            "" if "captured" not in r else
            "captured %.2f%%%s" % (100 * r["captured"],
                                   "" if r["exact"] else " (differs)")))
        return r

    # A fixed order would let one recorder's aftermath (the memory that
    # asciinema frees, the previous transcript's dirty pages) fall on the
    # same neighbour every round: shuffle each round, and start each run
    # after a sync.
    rng = random.Random(SEED)
    for i in range(RUNS):
        order = others[:]
        rng.shuffle(order)
        for j, rec in enumerate(order):
            pair = (i, rec)
            if (i + j) % 2 == 0:
                b = one("bare", i, pair)
                x = one(rec, i, pair)
            else:
                x = one(rec, i, pair)
                b = one("bare", i, pair)
            if "wall_s" in b and "wall_s" in x:
                x["ratio"] = float(x["wall_s"]) / float(b["wall_s"])


def latency():
    """Paired like the throughput runs: each recorder's run next to a bare
    loop run; the samples of all runs are pooled per recorder, and the
    difference to the bare loop is the median of the paired differences
    of the run medians."""
    others = [r for r in AVAIL if r != "bare"]

    def one(rec, i):
        out = transcript_path(rec)
        if rec == "agentrun":
            clear_store()
        r = ptydrive(command(rec, [WLGEN, "echo"], out),
                     extra=["-l", str(KEYS), "-o",
                            os.path.join(W, "lat-" + rec)])
        if "lat_med_us" not in r:
            log("  latency %s: failed: %s" % (rec, r["err"][:200]))
        RES.setdefault(("lat", rec), []).append(r)
        log("  latency run %d %-9s median %s us p99 %s us" % (
            i + 1, rec, r.get("lat_med_us"), r.get("lat_p99_us")))
        if out and os.path.exists(out):
            os.unlink(out)
        return r

    for i in range(LAT_RUNS):
        k = i % len(others)
        for j, rec in enumerate(others[k:] + others[:k]):
            if (i + j) % 2 == 0:
                b = one("bare", i)
                x = one(rec, i)
            else:
                x = one(rec, i)
                b = one("bare", i)
            if "lat_med_us" in b and "lat_med_us" in x:
                x["lat_delta"] = int(x["lat_med_us"]) - int(b["lat_med_us"])
    clear_store()


# ------------------------------------------------------ agentrun's tools

EXTRA = {}      # name -> value text (agentrun column), target met or not


def timed(argv, env, runs=1):
    """Median wall time of argv (stdout to /dev/null): (seconds, None) or
    (None, reason); the best time goes to BEST[argv]."""
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, env=env, cwd=W,
                           timeout=TIMEOUT)
        dt = time.perf_counter() - t
        err = p.stderr.decode(errors="replace")
        if p.returncode != 0 and "not implemented" in err:
            return None, "n/a (not implemented)"
        # grep: 1 means no match
        if p.returncode not in (0, 1) or (p.returncode == 1 and
                                          argv[1:2] != ["grep"]):
            return None, "fail (%d: %s)" % (p.returncode,
                                           err.strip().splitlines()[0][:60]
                                           if err.strip() else "")
        walls.append(dt)
    BEST[tuple(argv)] = min(walls)
    return statistics.median(walls), None


BEST = {}


def tools(specs):
    for wl in ("a", "b"):
        keep = os.path.join(W, "keep-" + wl)
        sess = os.path.join(keep, "agentrun", "sessions")
        casts = [f for f in os.listdir(sess)] if os.path.isdir(sess) else []
        ids = [f[:-len(".cast.zst")] for f in casts if f.endswith(".cast.zst")]
        if not ids:
            for k in ("text", "grep"):
                EXTRA["%s_%s" % (k, wl)] = ("n/a (no session)", None)
            continue
        sid = ids[0]
        state = os.path.join(W, "state-" + wl)
        env = dict(ENV, XDG_DATA_HOME=keep, XDG_STATE_HOME=state)
        # text and grep as libtsm and the decoder allow: no snapshot cache
        # (without HOME and XDG_STATE_HOME there is nowhere to keep one).
        cold = {k: v for k, v in env.items()
                if k not in ("HOME", "XDG_STATE_HOME")}
        mb = os.path.getsize(specs[wl]["exp"]) / 1e6
        argv = [AGENTRUN, "text", sid]
        t, why = timed(argv, cold, TOOL_RUNS)
        EXTRA["text_" + wl] = (why, None) if why else (
            "%.1f MB/s (%.2f s; best %.1f MB/s)" % (
                mb / t, t, mb / BEST[tuple(argv)]), mb / t >= 30)
        argv = [AGENTRUN, "grep", "--all", "zq#NOMATCH#qz"]
        t, why = timed(argv, env, TOOL_RUNS)
        EXTRA["grep_" + wl] = (why, None) if why else (
            "%.0f MB/s (%.2f s; best %.0f MB/s)" % (
                mb / t, t, mb / BEST[tuple(argv)]), mb / t >= 200)
        if wl == "a":
            with open(os.path.join(sess, sid + ".json")) as f:
                dur = float(json.load(f).get("duration", 0))
            # The snapshot cache the background indexer built when the
            # recording ended (kept with the session by run_one).
            snap = os.path.join(state, "agentrun", "snapshots",
                                sid + ".snap")
            built = os.path.exists(snap)
            if built:
                shutil.copy(snap, os.path.join(W, "indexer.snap"))
            for name, at in (("seek_end", dur), ("seek_mid", dur / 2)):
                argv = [AGENTRUN, "text", "--at", "%.3f" % at, sid]
                # Without the indexer's cache, the first call makes it.
                shutil.rmtree(state, ignore_errors=True)
                t0, why0 = timed(argv, env, 1)
                if built:
                    os.unlink(snap)
                    shutil.copy(os.path.join(W, "indexer.snap"), snap)
                t, why = timed(argv, env, TOOL_RUNS)
                EXTRA[name] = (why or why0, None) if why or why0 else (
                    "%.2f s (best %.2f) through the cache %s; a first "
                    "call without it builds it: %.2f s" % (
                        t, BEST[tuple(argv)],
                        "the background indexer built after the session"
                        if built else "the first call built (no cache "
                        "from the indexer!)", t0),
                    t < 0.5 and built)


def ls_store():
    """A store of LS_SESSIONS sessions made from one real one."""
    env = dict(ENV, XDG_DATA_HOME=os.path.join(W, "ls"))
    st = os.path.join(env["XDG_DATA_HOME"], "agentrun", "sessions")
    p = subprocess.run([AGENTRUN, "-q", "--backend", "local", "run", "--",
                        "echo", "hello"], env=env, cwd=W,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    files = os.listdir(st) if os.path.isdir(st) else []
    js = [f for f in files if f.endswith(".json")]
    if p.returncode != 0 or not js:
        EXTRA["ls"] = ("fail (no template session)", False)
        return
    tid = js[0][:-5]
    with open(os.path.join(st, tid + ".json")) as f:
        side = json.load(f)
    with open(os.path.join(st, tid + ".cast.zst"), "rb") as f:
        cast = f.read()
    os.unlink(os.path.join(st, tid + ".json"))
    os.unlink(os.path.join(st, tid + ".cast.zst"))
    t0 = 1767225600     # 2026-01-01
    for i in range(LS_SESSIONS):
        t = t0 + i * 97
        sid = time.strftime("%Y%m%d-%H%M%S", time.gmtime(t)) + \
            "-%04x" % ((i * 40503) & 0xffff)
        d = dict(side)
        d["id"] = sid
        if "start" in d:
            d["start"] = float(t)
            d["end"] = float(t) + 12.5
            d["duration"] = 12.5
        if "start_iso" in d:
            d["start_iso"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                           time.gmtime(t))
            d["end_iso"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                         time.gmtime(t + 12))
        with open(os.path.join(st, sid + ".json"), "w") as f:
            json.dump(d, f, indent="\t")
        with open(os.path.join(st, sid + ".cast.zst"), "wb") as f:
            f.write(cast)
    p = subprocess.run([AGENTRUN, "ls", "--all"], env=env, cwd=W,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    listed = max(0, len(p.stdout.splitlines()) - 1)
    t, why = timed([AGENTRUN, "ls", "--all"], env, LS_RUNS)
    EXTRA["ls"] = (why, None) if why else (
        "%.0f ms (best %.0f; %d listed)" % (
            t * 1000, BEST[(AGENTRUN, "ls", "--all")] * 1000, listed),
        t < 0.1 and listed == LS_SESSIONS)


def warm():
    emu = os.path.join(ROOT, "tests", "multipass")
    if not os.access(emu, os.X_OK):
        EXTRA["warm_own"] = ("n/a (emulator missing)", None)
        return
    base = os.path.join(W, "warm")
    proj = os.path.join(base, "proj")
    bindir = os.path.join(base, "bin")
    mpdir = os.path.join(base, "mp")
    for d in (proj, bindir, mpdir):
        os.makedirs(d, exist_ok=True)
    # a real repository, so agentrun's git probes do their usual work
    g = ["git", "-C", proj, "-c", "user.name=bench", "-c",
         "user.email=bench@example.invalid"]
    with open(os.path.join(proj, "README"), "w") as f:
        f.write("bench\n")
    if shutil.which("git") is None or subprocess.run(
            g + ["init", "-q"]).returncode != 0 or subprocess.run(
            g + ["add", "README"]).returncode != 0 or subprocess.run(
            g + ["commit", "-qm", "bench"]).returncode != 0:
        os.makedirs(os.path.join(proj, ".git"), exist_ok=True)
    os.symlink(MPSHIM, os.path.join(bindir, "multipass"))
    mplog = os.path.join(base, "mp.log")
    env = dict(ENV, MULTIPASS_EMU_DIR=mpdir, BENCH_MP_REAL=emu,
               BENCH_MP_LOG=mplog, PATH=bindir + ":" + ENV["PATH"],
               XDG_DATA_HOME=os.path.join(base, "data"))
    calls_log = os.path.join(mpdir, "calls.log")

    def ncalls():
        try:
            with open(calls_log) as f:
                return sum(1 for _ in f)
        except FileNotFoundError:
            return 0

    cold = ptydrive([AGENTRUN, "-q", "run", "--", "true"], env=env, cwd=proj)
    if cold.get("status") != "0":
        EXTRA["warm_own"] = ("fail (cold run: %s)" % cold["err"][:60], False)
        return
    owns, calls, walls, emus, pre, post = [], [], [], [], [], []
    for _ in range(WARM_RUNS):
        if os.path.exists(mplog):
            os.unlink(mplog)
        n0 = ncalls()
        r = ptydrive([AGENTRUN, "-q", "run", "--", "true"], env=env, cwd=proj)
        calls.append(ncalls() - n0)
        walls.append(float(r["wall_s"]))
        waited, t_exec, first, last = 0, None, None, None
        with open(mplog) as f:
            for line in f:
                w = line.split()
                if w[0] == "exec" and t_exec is None:
                    t_exec = int(w[2])
                elif w[0] == "call" and t_exec is None:
                    waited += int(w[3]) - int(w[2])
                    first = int(w[2]) if first is None else first
                    last = int(w[3])
        if t_exec is not None:
            owns.append((t_exec - int(r["start_us"]) - waited) / 1000)
            emus.append(waited / 1000)
            if first is not None:
                pre.append((first - int(r["start_us"])) / 1000)
                post.append((t_exec - last) / 1000)
    if not owns:
        EXTRA["warm_own"] = ("fail (no exec seen)", False)
        return
    own = statistics.median(owns)
    EXTRA["warm_own"] = ("%.1f ms own (%.1f before the first call, %.1f "
                         "after the last) + %.0f ms in multipass calls "
                         "(emulator); %.0f ms in all" % (
                             own, med(pre) or 0, med(post) or 0,
                             statistics.median(emus),
                             statistics.median(walls) * 1000), own < 5)
    EXTRA["warm_calls"] = ("%d (max %d)" % (statistics.median(calls),
                                            max(calls)), max(calls) == 2)


def rss_series():
    vals = []
    for size in RSS_SIZES:
        kbs, walls = [], []
        for _ in range(RSS_RUNS):
            clear_store()
            r = ptydrive([AGENTRUN, "-q", "--backend", "local", "run", "--",
                          WLGEN, "b64", str(size)])
            clear_store()
            kbs.append(r.get("rec_rss_kb"))
            walls.append(float(r["wall_s"]) if "wall_s" in r else None)
        kb = None if None in kbs else statistics.median(kbs)
        vals.append(kb)
        EXTRA["rss_%d" % size] = (
            "fail" if kb is None else
            "%.1f MB (median of %d; %.1f-%.1f; %.0f MB/s)" % (
                kb / 1024, len(kbs), min(kbs) / 1024, max(kbs) / 1024,
                size / 1e6 / med(walls)),
            None if kb is None else max(kbs) <= 5 * 1024)
    if None not in vals:
        EXTRA["rss_flat"] = ("+%.2f MB" % ((vals[-1] - vals[0]) / 1024),
                             vals[-1] - vals[0] <= 512)


# ------------------------------------------------------------------ table

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(v, f):
    return "—" if v is None else f % v


def yes(b):
    return "—" if b is None else ("yes" if b else "**no**")


def table(specs, t_start, t_end, load0, load1):
    cols = [r for r in RECORDERS]
    rows = []

    def row(measure, vals, target="", met=None):
        rows.append([measure] + [vals.get(c, "—") for c in cols] +
                    [target, yes(met)])

    for wl in ("a", "b"):
        if ("%s" % wl, "bare") not in RES:
            continue
        runs = {c: RES.get((wl, c), []) for c in cols}
        wall = {c: med([float(r["wall_s"]) for r in runs[c] if "wall_s" in r])
                for c in cols}
        # ratio: median over the pairs of recorder / its bare neighbour
        ratio = {c: med([r.get("ratio") for r in runs[c]]) for c in cols}
        ratio["bare"] = 1.0
        fastest = min([ratio[c] for c in ("script", "ttyrec", "termrec")
                       if ratio.get(c) is not None] or [None]) \
            if any(ratio.get(c) is not None for c in
                   ("script", "ttyrec", "termrec")) else None
        mbs = {c: (specs[wl]["size"] / 1e6 / wall[c]) if wall[c] else None
               for c in cols}
        tag = "(%s)" % wl
        row(tag + " wall time, median s", {c: fmt(wall[c], "%.3f")
                                           for c in cols if runs[c]})
        row(tag + " wall ÷ bare loop (median of paired ratios)",
            {c: fmt(ratio[c], "%.2fx") for c in cols if runs[c]},
            "≤ fastest of script/ttyrec/termrec" +
            (" (%.2fx)" % fastest if fastest else ""),
            None if ratio.get("agentrun") is None or fastest is None
            else ratio["agentrun"] <= fastest)
        # Round by round: agentrun's paired ratio over the best peer's.
        byround = {}
        for c in ("agentrun", "script", "ttyrec", "termrec"):
            for r in runs[c]:
                if r.get("ratio") is not None:
                    byround.setdefault(r["round"], {})[c] = r["ratio"]
        rel = [v["agentrun"] / min(v[c] for c in v if c != "agentrun")
               for v in byround.values()
               if "agentrun" in v and len(v) > 1]
        if rel:
            row(tag + " agentrun ÷ the best of script/ttyrec/termrec in "
                "the same round, median (rounds agentrun was fastest)",
                {"agentrun": "%.2fx (%d of %d)" % (
                    med(rel), sum(1 for x in rel if x <= 1), len(rel))})
        # The same against each peer on its own: the best of three noisy
        # times is biased low (with four equal recorders agentrun would
        # be the fastest in a quarter of the rounds and its median ratio
        # above 1), so this row says more about a lead over each.
        each = {}
        for c in ("script", "ttyrec", "termrec"):
            rc = [v["agentrun"] / v[c] for v in byround.values()
                  if "agentrun" in v and c in v]
            if rc:
                each[c] = "%.2fx (%d of %d)" % (
                    med(rc), sum(1 for x in rc if x <= 1), len(rc))
        if each:
            row(tag + " agentrun ÷ this recorder in the same round, median "
                "(rounds agentrun was faster)", each)
        row(tag + " throughput, MB/s of workload", {
            c: fmt(mbs[c], "%.0f") for c in cols if runs[c]})
        row(tag + " recorder CPU s (user+sys), median", {
            c: fmt(med([r.get("rec_cpu_s") for r in runs[c]]), "%.2f")
            for c in cols if runs[c] and c != "direct"})
        rss = {c: max([r["rec_rss_kb"] for r in runs[c] if "rec_rss_kb" in r]
                      or [0]) / 1024 for c in cols if runs[c] and
               c != "direct"}
        row(tag + " recorder peak RSS MB, worst run",
            {c: fmt(rss[c] or None, "%.1f") for c in rss}, "≤ 5 MB",
            None if not rss.get("agentrun") else rss["agentrun"] <= 5)
        io = {}
        for c in cols:
            if c == "direct" or not runs[c]:
                continue
            rd = med([r.get("rec_syscr") for r in runs[c]])
            wr = med([r.get("rec_syscw") for r in runs[c]])
            rb = med([r.get("rec_rchar") for r in runs[c]])
            if rd and wr:
                io[c] = "%.1fk / %.1fk (%.0f B)" % (rd / 1e3, wr / 1e3,
                                                   rb / rd)
        row(tag + " recorder read() / write() calls (bytes per read)", io)
        tr = {c: med([r.get("transcript") for r in runs[c]])
              for c in cols if runs[c] and c in FORMAT}
        row(tag + " transcript MB, median", {c: fmt(
            tr[c] / 1e6 if tr[c] else None, "%.2f") for c in tr})
        cap = {}
        for c in cols:
            if c not in FORMAT or not runs[c]:
                continue
            worst = min(r.get("captured", 0.0) for r in runs[c])
            nexact = sum(1 for r in runs[c] if r.get("exact"))
            cap[c] = "%s%% (%d/%d exact)" % (
                ("%.3f" % (100 * worst)).rstrip("0").rstrip("."), nexact,
                len(runs[c]))
        allok = all(r.get("exact") for r in runs["agentrun"]) \
            if runs["agentrun"] else None
        row(tag + " output captured, worst run", cap, "100%, every run",
            allok)
        ix = med([r.get("index_s") for r in runs["agentrun"]])
        if ix is not None:
            row(tag + " agentrun's snapshot indexing after the session "
                "(background, nice 19, not in the wall time), median s",
                {"agentrun": "%.2f" % ix})
        if wl == "b" and runs["asciinema"] and runs["agentrun"]:
            z = med([r.get("zstd3") for r in runs["asciinema"]])
            share = med([r.get("captured") for r in runs["asciinema"]])
            full = z / share if z and share else None
            ours = tr.get("agentrun")
            row("(b) asciinema .cast \\| zstd -3, MB (÷ share captured)", {
                "asciinema": "%.2f (%.2f)" % (z / 1e6, full / 1e6)
                if full else "—",
                "agentrun": fmt(ours / full if ours and full else None,
                                "%.2fx of it")},
                "agentrun's (b) transcript ≤ it",
                None if not (ours and full) else ours <= full)
    if any(("lat", c) in RES for c in cols):
        lm, lp = {}, {}
        for c in cols:     # every key of every run, pooled
            try:
                with open(os.path.join(W, "lat-" + c)) as f:
                    xs = sorted(int(x) for x in f)
            except FileNotFoundError:
                xs = []
            lm[c] = xs[len(xs) // 2] if xs else None
            lp[c] = xs[len(xs) * 99 // 100] if xs else None
        delta = med([r.get("lat_delta") for r in RES.get(("lat",
                                                          "agentrun"), [])])
        mm = {c: med([int(r["lat_med_us"]) for r in RES.get(("lat", c), [])
                      if "lat_med_us" in r]) for c in cols}
        dd = {c: med([r.get("lat_delta") for r in RES.get(("lat", c), [])])
              for c in cols if c != "bare"}
        row("keystroke round trip, µs: median of the run medians (%d runs "
            "× %d keys)" % (LAT_RUNS, KEYS), {c: fmt(mm[c], "%.0f")
                                              for c in cols})
        row("keystroke round trip, µs: run median minus its paired bare "
            "run's, median", {c: fmt(dd[c], "%+.0f") for c in dd},
            "agentrun ≤ bare + 30 µs",
            None if delta is None else delta <= 30)
        row("keystroke round trip, µs: p99 of all keys", {
            c: fmt(lp[c], "%.0f") for c in cols})

    def extra(measure, key, target):
        v = EXTRA.get(key)
        if v is None:
            return
        row(measure, {"agentrun": v[0]}, target, v[1])

    extra("`agentrun text` on (a), MB/s of output", "text_a",
          "as fast as libtsm allows (~30 MB/s)")
    extra("`agentrun text` on (b)", "text_b", "~30 MB/s")
    extra("`agentrun grep` on (a), no match, MB/s", "grep_a", "≥ 200 MB/s")
    extra("`agentrun grep` on (b), no match", "grep_b", "≥ 200 MB/s")
    extra("seek to the end of (a): `text --at END`", "seek_end", "< 0.5 s")
    extra("seek to the middle of (a): `text --at MID`", "seek_mid",
          "< 0.5 s")
    extra("`agentrun ls --all`, %d sessions, median" % LS_SESSIONS, "ls",
          "< 100 ms")
    extra("warm `agentrun run -- true` (emulator), median of %d" % WARM_RUNS,
          "warm_own", "< 5 ms own")
    extra("warm start: multipass calls", "warm_calls", "2")
    for size in RSS_SIZES:
        extra("agentrun peak RSS, %s session (`wlgen b64`)" % (
            "%d MB" % (size // 1000000) if size < 1e9 else "%d GB" % (
                size // 1000000000)), "rss_%d" % size, "≤ 5 MB")
    extra("RSS growth from the smallest to the largest session", "rss_flat",
          "flat (≤ +0.5 MB)")

    head = ["measure"] + cols + ["target (agentrun)", "met"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] + ["--:"] * len(cols) + ["---", "---"])
             + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]

    def version(argv):
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=10)
            return p.stdout.decode(errors="replace").strip().splitlines()[0]
        except Exception:
            return "?"

    def dpkg(pkg):
        return version(["dpkg-query", "-W", "-f", "${Version}", pkg])

    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    uname = version(["uname", "-srm"])
    head_rev = version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    md = []
    md.append("# agentrun benchmark results\n")
    md.append("Written by `make bench` (tests/bench/run.sh)%s. **Only ratios "
              "within one run compare**: the absolute times depend on the "
              "machine and on whatever else it was doing.\n" % (
                  ", BENCH_QUICK (small workloads, one run each: a smoke "
                  "test, not a measurement)" if QUICK else ""))
    md.append("- date: %s, took %.0f s" % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t_start)),
        t_end - t_start))
    md.append("- machine: %s; %s; %d CPUs (nproc); load average %s at the "
              "start, %s at the end (the machine is shared)" % (
                  uname, cpu, os.cpu_count() or 0, load0, load1))
    md.append("- agentrun %s (tree at %s); util-linux script %s, ttyrec %s, "
              "termrec %s, asciinema %s, zstd %s" % (
                  version([AGENTRUN, "--version"]).split()[-1], head_rev,
                  dpkg("util-linux"), dpkg("ttyrec"), dpkg("termrec"),
                  dpkg("asciinema"), dpkg("zstd")))
    md.append("- (a): %s; (b): %s" % (specs["a"]["desc"], specs["b"]["desc"])
              if specs else "")
    md.append("- %d runs of each recorder on each workload, each paired "
              "with a run of the bare loop (the recorders' order shuffled "
              "every round, seed %d); latency %d × %d keys\n" % (
                  RUNS, SEED, LAT_RUNS, KEYS))
    md.append("\n".join(lines))
    md.append("")
    md.append(HOW)
    return "\n".join(md) + "\n"


HOW = """How each number is measured:

- Every recorder runs under `ptydrive` (tests/bench/ptydrive.c), which opens
  a PTY pair, makes the slave the command's controlling terminal, stdin,
  stdout and stderr (80x24), and reads the master as fast as it can,
  discarding the bytes. **wall** is fork to child reaped with all output
  drained (so a recorder's own finishing, e.g. fsync, counts). **direct** is
  the workload on that PTY with no proxy; **bare** is `bareloop`, a minimal
  forkpty copy loop that records nothing (the physical limit of a PTY
  proxy); **no-record** is `agentrun --no-record`, agentrun's own proxy
  writing nothing, so the gap from it to agentrun is what recording costs. Commands: `script -q -c CMD FILE` (util-linux, its default
  buffering), `ttyrec -e CMD FILE`, `termrec -e CMD FILE.ttyrec`
  (uncompressed), `asciinema rec -q --overwrite -c CMD FILE.cast`,
  `agentrun -q --backend local run -- CMD` (zstd asciicast v3).
- **÷ bare**: every run of a recorder is paired with a run of the bare loop
  just before or just after it (alternating); the ratio is the median over
  the pairs of recorder ÷ its bare neighbour. The bare loop's wall time is
  the median of all its runs. In each round the recorders run in a
  shuffled order (seeded, BENCH_SEED, default 1), each run after a `sync`
  (so no run pays for writing back an earlier run's transcript), and
  agentrun's background indexing is waited for before the next run.
- **CPU** and **peak RSS** are the recorder's own: an LD_PRELOAD library
  (rusage.c) logs getrusage(RUSAGE_SELF) as each process exits; the figures
  sum the CPU and take the largest peak of the recorder's processes (the
  one ptydrive started and its forks running the same program), not of the
  workload, the shell, or helpers such as `git` (wait4 would report the
  largest peak in the whole tree, and a program exec'd from a fork inherits
  the peak of the process it replaced). asciinema's writer process ends with
  os._exit and is not counted.
- **read() / write() calls**: the recorder's own syscall counts from
  /proc/self/task/*/io (syscr, syscw; its live threads at exit),
  median; bytes per read = its read bytes / read calls (the PTY master
  returns at most 4095 bytes a read).
- **captured**: the output is decoded from the transcript (typescript minus
  script's header and trailer lines; ttyrec frames minus termrec's leading
  UTF-8 and window-size codes; the "o" events of the .cast, after `zstd -dc`
  for agentrun) and compared with what the terminal must receive (the
  workload with \\n turned into \\r\\n by the PTY): the share is the longest
  matching prefix; "exact" means nothing is missing, extra or different.
- **keystroke round trip**: the command is `wlgen echo` (raw mode, echoes
  each byte); ptydrive writes one byte to the master and waits until it
  comes back, after 200 keys of warm-up. Each run is paired with a
  bare-loop run next to it; the difference to the bare loop is the median
  over the pairs of the difference of the two runs' medians (the load of
  the machine moves the absolute figures by tens of µs); p99 is over all
  the keys of all the runs.
- **text**, **grep**: `agentrun text ID` and `agentrun grep --all PATTERN`
  (a pattern that never matches, so every byte is searched) on the last
  agentrun recording of (a) and (b), alone in their store; MB/s of terminal
  output (the expected bytes); `text` runs with nowhere to keep a snapshot
  cache, so it is one libtsm pass. **seek**: `agentrun text --at T ID` with T
  the session's duration (end) and half of it, through the snapshot cache
  that agentrun's background indexer (`agentrun __index`, nice 19, started
  as the session ends) built after that recording; the time of a first
  call that finds no cache and builds it itself is shown too. After every
  agentrun run the harness waits for that indexer to end (the time is
  reported, and is not in the wall time) so it takes no CPU from the next
  run.
- agentrun's own commands are timed by wall clock, median of several runs
  (the best run in brackets: on a shared machine the best is the closest
  to the uncontended cost; the target is judged on the median).
- **ls**: a store of that many sessions (copies of one real sidecar and
  transcript with new ids), `agentrun ls --all` to /dev/null.
- **warm start**: `agentrun run -- true` under ptydrive in a project against
  the emulator `tests/multipass`, after one cold run made the VM. A shim
  first on PATH (mpshim.c) runs the emulator and logs CLOCK_MONOTONIC
  times: agentrun's own time = the moment it execs `multipass exec` minus
  its start (just before ptydrive's fork) minus the time spent waiting in
  the multipass calls before it (from the shim's first instruction to the
  emulator's exit, so starting each call and reaping it count as
  agentrun's). The project is a git repository with one commit. The
  calls are the lines added to the emulator's calls.log.
- **RSS growth**: agentrun recording `wlgen b64 SIZE` (base64 text written
  straight to the PTY), the recorder's peak RSS at each size: the median
  of three runs (a single run varies by ~0.3 MB), the worst against the
  5 MB bound; the growth is between the medians."""


def main():
    t_start = time.time()
    with open("/proc/loadavg") as f:
        load0 = " ".join(f.read().split()[:3])
    log("bench: work folder %s; %d runs; recorders: %s%s" % (
        W, RUNS, " ".join(AVAIL), " (quick)" if QUICK else ""))
    for r in RECORDERS:
        if r not in AVAIL:
            log("bench: %s is not installed: its column is empty" % r)
    log("bench: generating workloads")
    specs = workloads()
    log("bench: (a) %d bytes; (b) %d bytes in %d writes" % (
        specs["a"]["size"], specs["b"]["size"], specs["b"]["writes"]))
    for wl in ("a", "b"):
        if wl in SECTIONS:
            log("bench: throughput (%s)" % wl)
            throughput(wl, specs[wl])
    if "lat" in SECTIONS:
        log("bench: keystroke latency")
        latency()
    if "agentrun" in AVAIL:
        if "tools" in SECTIONS:
            log("bench: agentrun text, grep, seek")
            tools(specs)
        if "ls" in SECTIONS:
            log("bench: agentrun ls")
            ls_store()
        if "warm" in SECTIONS:
            log("bench: warm start")
            warm()
        if "rss" in SECTIONS:
            log("bench: RSS by session size")
            rss_series()
    with open("/proc/loadavg") as f:
        load1 = " ".join(f.read().split()[:3])
    md = table(specs, t_start, time.time(), load0, load1)
    print(md)
    with open(OUT, "w") as f:
        f.write(md)
    log("bench: written to %s" % OUT)


if __name__ == "__main__":
    main()
