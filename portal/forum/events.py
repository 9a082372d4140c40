"""The events the forum publishes and their payloads (ADR 0610)."""

from __future__ import annotations

import dataclasses

from portal.core.events import declare


@dataclasses.dataclass(frozen=True)
class _TopicEvent:
    topic_id: int
    actor_id: int | None


@declare("forum.topic_created")
class TopicCreated(_TopicEvent):
    pass


@declare("forum.topic_updated")
class TopicUpdated(_TopicEvent):
    """Title, tags, references, pinned or locked changed, or posts were merged into it."""


@declare("forum.topic_hidden")
class TopicHidden(_TopicEvent):
    """A moderator hid or showed the topic."""


@declare("forum.topic_moved")
class TopicMoved(_TopicEvent):
    pass


@declare("forum.topic_deleted")
class TopicDeleted(_TopicEvent):
    pass


@declare("forum.topic_restored")
class TopicRestored(_TopicEvent):
    pass


@declare("forum.topic_access_changed")
class TopicAccessChanged(_TopicEvent):
    pass


@dataclasses.dataclass(frozen=True)
class _PostEvent(_TopicEvent):
    post_id: int


@declare("forum.post_created")
class PostCreated(_PostEvent):
    pass


@declare("forum.post_updated")
class PostUpdated(_PostEvent):
    pass


@declare("forum.post_deleted")
class PostDeleted(_PostEvent):
    pass


@declare("forum.answer_accepted")
class AnswerAccepted(_PostEvent):
    pass


@declare("forum.mentioned")
class Mentioned(_PostEvent):
    """`user_ids` were @mentioned in the post (only people who may read the topic)."""

    user_ids: list[int]
