"""A simulated group written in every export format and read back has the fingerprint of
the group as that format shows it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.chats import FORMATS, REPLIES, ChatLog, read_chat, write_chat
from sim.chats.fingerprint import STATISTICS, fingerprint

LAYOUTS = {key: key for key in FORMATS} | {"whatsapp-android": "whatsapp"}


def as_shown(log: ChatLog, layout: str) -> ChatLog:
    """``log`` as format ``layout`` can show it (what its writer keeps, its reader reads).

    Events the format cannot show are dropped; who shared a link is kept by WeChat
    (which names "You" when nobody is known) and the generic CSV only; WhatsApp has no
    replies and WeChat's go to the quoted sender's latest earlier message, and a photo
    or sticker cannot quote; Android WhatsApp cannot tell a sticker from a photo.
    """
    key = LAYOUTS[layout]
    limits = FORMATS[key].limits
    events = log.events[~log.events["kind"].isin(limits)].copy()
    link = events["kind"] == "joined_link"
    if key == "wechat":
        events.loc[link & events["by"].isna(), "by"] = "You"
    elif key != "csv":
        events.loc[link, "by"] = None
    messages = log.messages.copy()
    if REPLIES in limits:
        messages["reply_to"] = pd.array([None] * len(messages), dtype="Int64")
    elif key == "wechat":
        members = messages["member"].tolist()
        last: dict[str, int] = {}
        quoted = []
        for i, (parent, media) in enumerate(zip(messages["reply_to"], messages["is_media"],
                                                strict=True)):
            quoted.append(None if pd.isna(parent) or media else last[members[int(parent)]])
            last[members[i]] = i
        messages["reply_to"] = pd.array(quoted, dtype="Int64")
    if layout == "whatsapp-android":
        messages.loc[messages["is_media"], "off_topic"] = False
    return ChatLog(messages, events.reset_index(drop=True), key, log.source, limits)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_written_and_read_back_the_fingerprint_is_the_formats(group, layout, tmp_path):
    back = read_chat(write_chat(group.log, layout, tmp_path / f"export-{layout}"),
                     salt=b"back")
    got, wanted = fingerprint(back), fingerprint(as_shown(group.log, layout))
    assert got.reasons == wanted.reasons
    names = [s.name for s in STATISTICS]
    np.testing.assert_allclose(got.values[names].to_numpy(), wanted.values[names].to_numpy(),
                               rtol=1e-12, equal_nan=True)


def test_what_each_format_loses(group, tmp_path):
    full = fingerprint(group.log)
    assert full.usable("reply_share") and full.usable("survival_30d")
    shown = {layout: fingerprint(as_shown(group.log, layout)) for layout in LAYOUTS}
    assert not shown["whatsapp"].usable("reply_share")
    assert not shown["wechat"].usable("survival_30d")
    assert not shown["discord"].usable("survival_30d")
    assert not shown["discord"].usable("joins_by_member")
    for layout in ("telegram", "csv"):  # they show everything a simulated group has
        pd.testing.assert_frame_equal(shown[layout].values, full.values)
