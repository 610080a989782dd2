"""Worker processes end when the process that started them dies.

A killed parent (SIGKILL, OOM killer) runs no clean-up, so its pool workers would live
on, re-parented to init, holding a loaded NLP model each (and the multiprocessing
resource tracker alive with them). On Linux the kernel sends the worker a signal when its
parent dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere a daemon thread watches for the
re-parenting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCH_INTERVAL = 1.0  # seconds between looks at the parent, where prctl is missing


def _set_parent_death_signal(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_INTERVAL)
    os._exit(1)  # the parent is gone: nothing to hand results to


def die_with_parent(parent: int | None = None) -> None:
    """Make this process exit when ``parent`` (default: the current parent) dies.

    Call it first thing in a child process."""
    expected = parent if parent is not None else os.getppid()
    armed = _set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != expected:
        # The parent died before the signal was armed: it will never be sent.
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch, args=(expected,), name="parent-watch", daemon=True).start()
