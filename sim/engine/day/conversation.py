"""Reading and posting: who opens the chat today, what they write, who answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.day import conversation_kernels as compiled
from sim.engine.day.today import N_KINDS
from sim.engine.state import KIND

if TYPE_CHECKING:
    from sim.engine.community import Community
    from sim.engine.day.today import Today
    from sim.engine.plan import DayPlan


def read_and_post(model: Community, plan: DayPlan, today: Today) -> None:
    """Who opens the group today, and what they write; others reply and answer.

    Reading: engaged members open the chat likelier, muted ones rarely.

    Posting: a member who opened the chat writes at rate ``role rate x sociability x
    engagement^k x topic supply`` (Poisson), where topic supply is how many
    conversation starters (content, questions, announcements) the group had
    yesterday. Each message's kind -- ad, question, content or chat -- follows its
    author's role and spam propensity. Each question is answered and each other post
    replied to with a chance that grows with today's responders (reply propensity x
    engagement of the readers) and the author's influence; answers and replies are
    written by those responders. A welcomed newcomer's first post is answered by the
    welcomers (T3). The owner's team adds the plan's content posts and announcements.

    Both are one compiled pass (reading, then posting).
    """
    st = model.state
    rows = model.members()
    size = rows.size
    today.rows = rows
    today.read = np.empty(size, dtype=bool)
    posts = np.zeros((size, N_KINDS), dtype=np.int32)
    wrote = np.empty(size, dtype=np.int64)
    answered = np.zeros(size, dtype=np.int64)
    replies = np.zeros(size, dtype=np.int64)
    first = np.empty(size, dtype=bool)
    first_answered = np.empty(size, dtype=bool)
    responses, talkers, greeted, *today.threads = compiled.read_and_post_kernel(
        rows, model.member_record, model.group_record, model.day_record,
        (today.read, posts, wrote, answered, replies, first, first_answered))
    if plan.content_posts:
        today.operator_posts[KIND["content"]] += plan.content_posts
        st.messages[model.owner_row, KIND["content"]] += plan.content_posts
    today.operator_posts[KIND["announcement"]] += plan.announcements
    today.operator_posts[KIND["chat"]] += greeted
    today.posts, today.wrote = posts, wrote
    today.answered, today.replies_got = answered, replies
    today.first_post, today.first_answered = first, first_answered
    today.conversation = bool(talkers >= 2 and responses + greeted > 0)
