"""Chat export reading speed: a 200-member, 180-day group of about 50,000 messages.

Target (issue 19): ``sim.chats.read_chat`` reads such an export in a few seconds in
every format. The export is made up: a log with realistic features is written in each
format by ``sim.chats.write_chat`` and read back, timed.

Run: ``python benchmarks/bench_chats.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.chats import FORMATS, read_chat, write_chat  # noqa: E402
from sim.chats.log import RawEvent, RawMessage, build  # noqa: E402
from sim.chats.names import Pseudonyms  # noqa: E402

MEMBERS, DAYS, MESSAGES = 200, 180, 50_000
TEXTS = ("good morning", "What time is the call tomorrow?", "哈哈哈", "👍",
         "我觉得这个方案还需要再讨论一下", "see https://example.com/docs/page",
         "The meeting notes are in the shared folder now", "这个功能什么时候上线？", "ok")


def made_up_log(seed: int = 0):
    """A group of MEMBERS people chatting MESSAGES times over DAYS days."""
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1)
    people = [f"Person {i}" for i in range(MEMBERS)]
    activity = rng.pareto(1.2, MEMBERS) + 0.05  # a few talk a lot
    senders = rng.choice(MEMBERS, MESSAGES, p=activity / activity.sum())
    seconds = np.sort(rng.integers(0, DAYS * 86400, MESSAGES))
    messages = []
    for i in range(MESSAGES):
        media = "image" if rng.random() < 0.05 else None
        reply = int(rng.integers(max(0, i - 50), i)) if i and rng.random() < 0.2 else None
        messages.append(RawMessage(start + timedelta(seconds=int(seconds[i])),
                                   people[senders[i]], "" if media else TEXTS[i % len(TEXTS)],
                                   media=media, key=i, reply_key=reply))
    events = [RawEvent(start + timedelta(seconds=int(rng.integers(0, DAYS * 86400))),
                       people[i], "joined_link" if i % 2 else "added",
                       None if i % 2 else people[0]) for i in range(1, MEMBERS)]
    return build("csv", "made-up.csv", (), messages, events, Pseudonyms(b"bench"))


def main() -> int:
    log = made_up_log()
    print(f"{len(log.messages):,} messages, {len(log.members())} members, {log.days} days")
    with tempfile.TemporaryDirectory() as folder:
        for key in FORMATS:
            path = write_chat(log, key, Path(folder) / f"export-{key}")
            began = time.perf_counter()
            back = read_chat(path)
            seconds = time.perf_counter() - began
            size = path.stat().st_size / 1e6
            print(f"{key:9s} {size:6.1f} MB  read in {seconds:5.2f} s  "
                  f"({len(back.messages):,} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
