"""Behavioural constants of the daily cycle: the model's uncertainties.

Nobody controls these; they describe how people in chat groups respond. They are the
engine's defaults and the parameters calibration (``commsim validate``) tunes; any of
them can be set in a scenario's ``dynamics:`` section or varied in a sweep.
"""

from __future__ import annotations

from sim.params import Param, section_model

DYNAMICS_PARAMS: tuple[Param, ...] = (
    # attention and posting
    Param("read_floor", 0.05, "chance a disengaged member opens the chat on a day", "share 0-1",
          0.0, 1.0),
    Param("read_gain", 0.85, "extra chance to open the chat for a fully engaged member",
          "share 0-1", 0.0, 1.0),
    Param("muted_read_factor", 0.6686, "how much muting the group cuts the chance of reading",
          "factor 0-1", 0.0, 1.0),
    Param("engagement_exponent", 2.06, "how sharply posting falls with lower engagement",
          "exponent", 0.5, 4.0),
    Param("topic_scale", 3.0, "conversation starters (content, questions, announcements) a day "
          "that give 63% of the full chat", "messages/day", 0.1, 1000.0),
    Param("topic_floor", 0.1, "share of the chat that goes on with no conversation starters",
          "share 0-1", 0.0, 1.0),
    Param("member_content_quality", 0.25, "quality of content members (not the owner) post",
          "score 0-1", 0.0, 1.0),
    # on-topic and off-topic talk
    Param("on_topic_talk", 0.5, "share of a member's talk (not content, questions or ads) "
          "that is on the group's topic when their fit equals their taste for small talk",
          "share 0-1", 0.0, 1.0),
    Param("topic_pull", 0.534, "how much a person's fit with the topic, against their taste "
          "for small talk, decides whether they talk on topic (log-odds of on-topic = "
          "logit on_topic_talk + topic_pull x (logit fit - logit chat taste)); 0: everyone "
          "alike", "factor", 0.0, 5.0),
    Param("norm_pull", 0.183, "how much people follow the talk they see: the log-odds of talking "
          "on topic move by norm_pull x (logit of the remembered on-topic share of the "
          "group's talk - logit on_topic_talk); 0: not at all", "factor", 0.0, 0.95),
    Param("norm_memory", 0.1, "weight of today's talk in the remembered on-topic share (the "
          "group's norm)", "per day", 0.01, 1.0),
    Param("chat_annoyance", 0.476, "cost of off-topic talk to a reader with no taste for it, "
          "per attention budget's worth read (the budget: noise_tolerance x (0.5 + "
          "engagement) messages a day); scaled by 1 - their chat taste", "value units",
          0.0, 10.0),
    # replies, answers, first posts
    Param("reply_scale", 8.61, "responder weight at which a post has a 63% chance of a reply",
          "responders", 0.1, 1000.0),
    Param("reply_sociability", 0.7, "how much more talkative people write the replies and "
          "answers (responder weight x sociability to this power; 0: not at all)", "exponent",
          0.0, 2.0),
    Param("thread_continue", 0.715, "chance a reply draws a reply in turn (fading along the "
          "thread by thread_fade at each step); 0: replies are one level deep", "share 0-1",
          0.0, 1.0),
    Param("thread_fade", 0.6, "factor on the chance of one more reply at each step along a "
          "thread", "factor 0-1", 0.0, 1.0),
    Param("back_and_forth", 0.71, "chance the next reply in a thread is the person just "
          "answered answering back (otherwise another reader joins in)", "share 0-1",
          0.0, 1.0),
    Param("stranger_reply", 0.581, "how likely someone joins a thread started by a person who "
          "is not their friend, against a friend's", "share 0-1", 0.0, 1.0),
    Param("answer_scale", 4.23, "responder weight at which a question has a 63% chance of an "
          "answer", "responders", 0.1, 1000.0),
    Param("first_reply_boost", 0.112, "engagement gained by a newcomer whose first post is "
          "answered", "share of the gap to 1", 0.0, 1.0),
    Param("first_silence_penalty", 0.1121, "engagement lost by a newcomer whose first post gets no "
          "reply", "share 0-1", 0.0, 1.0),
    # value memory and weights
    Param("value_memory", 0.12, "weight of today's experience in perceived value (1/days "
          "remembered)", "per day", 0.01, 1.0),
    Param("content_saturation", 4.0, "content messages a day beyond which more add no value",
          "messages/day", 0.5, 100.0),
    Param("chat_saturation", 15.0, "chat messages a day at which the social value is full",
          "messages/day", 1.0, 500.0),
    Param("money_scale", 5.0, "money received in a day that is worth 63% of the material value",
          "yuan", 0.01, 1000.0),
    Param("noise_tolerance", 75.695, "messages a day an average member reads without feeling "
          "flooded", "messages/day", 1.0, 5000.0),
    Param("overload_quiet", 0.6524, "how much a reader who cannot follow the whole chat writes "
          "and replies less: posting and replying x (share of yesterday's messages their "
          "attention budget covers, noise_tolerance x (0.5 + engagement))^overload_quiet "
          "(overloaded readers stop taking part; Jones, Ravid & Rafaeli 2004); 0: not at all",
          "exponent", 0.0, 3.0),
    Param("noise_weight", 1.7806, "cost of each tolerance's worth of overload", "value units",
          0.0, 10.0),
    Param("spam_weight", 0.305, "cost of a day with many ads", "value units", 0.0, 10.0),
    Param("spam_half", 3.0, "ads a day at which the spam cost is half its maximum", "ads/day",
          0.1, 1000.0),
    # engagement, trust, commitment
    Param("engagement_rate", 0.08, "daily speed at which engagement follows perceived value",
          "per day", 0.0, 1.0),
    Param("value_midpoint", 0.2672, "perceived value at which engagement settles at one half",
          "value units", -5.0, 5.0),
    Param("value_spread", 0.25, "how sharply engagement responds around the midpoint",
          "value units", 0.01, 5.0),
    Param("neglect_decay", 0.0038, "daily engagement lost on days a member does not open the "
          "chat", "share 0-1", 0.0, 1.0),
    Param("trust_rate", 0.02, "daily trust gained from help and good content", "per day",
          0.0, 1.0),
    Param("commitment_rate", 0.01, "daily commitment gained by posting", "per day", 0.0, 1.0),
    # joining
    Param("discovery_rate", 0.0002, "daily chance an outsider finds the group on their own (QR "
          "code, Moments)", "per day", 0.0, 0.1),
    Param("advertiser_search", 20.0, "how much likelier would-be advertisers find the group on "
          "their own than others", "factor", 0.0, 1000.0),
    Param("hunter_search", 20.0, "how much likelier red-envelope hunters find a group "
          "that hands out a full material value of envelopes (scaled by the recent envelope "
          "signal)", "factor", 0.0, 10000.0),
    Param("acceptance", 0.581, "chance an outsider with a perfect fit accepts an invitation",
          "share 0-1", 0.0, 1.0),
    Param("cluster_bonus", 0.12, "extra acceptance when the invitee's friends know each other",
          "factor", 0.0, 10.0),
    Param("initial_engagement", 0.5, "engagement of a newcomer with average fit", "share 0-1",
          0.0, 1.0),
    # welcome and rules (S5, T3, T5)
    Param("writing_budget", 30, "most messages one person writes in a day, all kinds (the "
          "talkative few are limited by their day, not only by their will); 0: no limit",
          "messages/day", 0, 100000),
    Param("address_effect", 0.4995, "how much being answered raises, and being ignored lowers, a "
          "person's posting in the days after (posting rate x exp(address_effect x mood), mood "
          "-1 to 1); 0: no effect",
          "factor", 0.0, 3.0),
    Param("address_memory", 0.3, "weight of today's answer or silence in a person's mood "
          "(the rest fades toward 0 at this rate on days they start nothing)", "per day",
          0.01, 1.0),
    Param("newcomer_opening", 0.02, "a newcomer's daily rate of starting their first message "
          "whatever their voice, on days they open the group, until they have (the question "
          "or the hello they came with; visible rules raise it like the rest of their "
          "posting); 0: a first post comes from the person's voice alone", "per day", 0.0,
          2.0),
    Param("intro_chance", 0.6, "chance a newcomer asked for a self-introduction writes one",
          "share 0-1", 0.0, 1.0),
    Param("welcome_reply", 0.9, "chance a welcomed newcomer's first post gets a reply from the "
          "welcomers", "share 0-1", 0.0, 1.0),
    Param("rules_participation_boost", 25.0, "how many times likelier, less one, a newcomer "
          "who saw the rules writes their opening message (question or hello) on a given "
          "day: rules tell them what the group is for and how to take part", "factor",
          0.0, 50.0),
    Param("rules_compliance", 0.733, "share of off-topic ads that members who saw the rules "
          "hold back", "share 0-1", 0.0, 1.0),
    # red envelopes (S2, T2)
    Param("grab_chance", 0.6, "chance an engaged member present grabs a red envelope",
          "share 0-1", 0.0, 1.0),
    Param("thanks_chance", 0.5, "chance a grabber posts a thank-you", "share 0-1", 0.0, 1.0),
    Param("gift_send_base", 0.002, "daily chance a member sends an envelope unprompted",
          "per day", 0.0, 1.0),
    Param("gift_send_per_yuan", 0.034, "extra chance to send an envelope within 24 hours per "
          "yuan received", "per yuan", 0.0, 1.0),
    Param("luckiest_factor", 3.0, "how much likelier the luckiest grabber sends the next one",
          "factor", 1.0, 50.0),
    Param("gift_amount", 5.0, "typical amount of an envelope a member sends", "yuan", 0.01,
          10000.0),
    # leaving, muting, moderation
    Param("leave_rate", 0.0539, "daily chance to leave per unit of value below expectation",
          "per day", 0.0, 1.0),
    Param("leave_floor", 0.0005, "daily chance to leave for reasons outside the group",
          "per day", 0.0, 0.1),
    Param("mute_threshold", 1.1123, "daily cost of noise and spam above which members mute",
          "value units", 0.0, 10.0),
    Param("mute_chance", 0.25, "daily chance to mute once over the threshold", "share 0-1",
          0.0, 1.0),
    Param("muted_leave_factor", 0.1858, "how much muting lowers the chance to leave", "factor",
          0.0, 1.0),
    Param("admin_review_capacity", 150.0, "messages one administrator can review in a day",
          "messages/day", 0.0, 100000.0),
    Param("catch_rate", 0.3, "chance an ad an administrator reviews gets its poster removed",
          "share 0-1", 0.0, 1.0),
    # role transitions and death
    Param("lurk_after", 30, "days of silence after which a member counts as a lurker", "days",
          1, 365),
    Param("leader_posts_per_day", 1.5, "recent posting rate that marks a member for opinion "
          "leadership", "posts/day", 0.1, 100.0),
    Param("leader_promotion", 0.01, "daily chance such a member is recognised as opinion "
          "leader", "per day", 0.0, 1.0),
    Param("strong_trust", 0.7, "trust at which an intention member becomes strong intention",
          "trust 0-1", 0.0, 1.0),
    Param("dead_after", 14, "days without member-to-member conversation after which the group "
          "counts as dead", "days", 1, 365),
)

Dynamics = section_model(
    "Dynamics", DYNAMICS_PARAMS,
    "Behavioural constants of the daily cycle (uncertainties); calibrated defaults.",
    module=__name__,
)
