"""measure.py - run a command of a benchmark: its wall time, peak RSS and CPU.

The peak RSS and CPU come from GNU time (/usr/bin/time) when it is there: a
child forked from a Python process counts the parent's pages in its own
ru_maxrss until it execs, which would add some 20 MiB to every figure."""
import collections
import os
import subprocess
import tempfile
import time

GNU_TIME = "/usr/bin/time"
Took = collections.namedtuple("Took", "seconds rss_kb cpu out rc")


def timed(argv, env=None):
    """Run argv (stdout and stderr together); a Took."""
    with tempfile.NamedTemporaryFile(prefix="dagd-bench-rss-") as rss_file:
        gnu = os.access(GNU_TIME, os.X_OK)
        if gnu:
            argv = [GNU_TIME, "-q", "-f", "%M %U %S", "-o", rss_file.name] + list(argv)
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        out = p.stdout.read().decode(errors="replace")
        _, status, ru = os.wait4(p.pid, 0)
        took = time.perf_counter() - t0
        rss, cpu = ru.ru_maxrss, ru.ru_utime + ru.ru_stime
        if gnu:
            with open(rss_file.name) as f:
                fields = f.read().split()
            if len(fields) >= 3:
                rss, cpu = int(fields[-3]), float(fields[-2]) + float(fields[-1])
        return Took(took, rss, cpu, out, os.waitstatus_to_exitcode(status))
