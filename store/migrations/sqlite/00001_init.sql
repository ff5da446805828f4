-- The moderators' loop (issue 9). Nothing here holds a user id: a question's
-- outcome, a redacted unanswered question and a vote count are about the
-- FAQ, not about a person. Times are unix seconds truncated to the hour.

-- +goose Up
CREATE TABLE questions (
    id         INTEGER PRIMARY KEY,
    guild      TEXT    NOT NULL,             -- '' for direct messages
    kind       TEXT    NOT NULL CHECK (kind IN ('answered', 'no_match', 'off_topic')),
    entry      TEXT    NOT NULL,             -- the FAQ entry that answered; '' unless answered
    urgent     BOOLEAN NOT NULL,
    crisis     BOOLEAN NOT NULL,
    latency_us BIGINT  NOT NULL,
    at_hour    BIGINT  NOT NULL
);
CREATE INDEX questions_at ON questions (at_hour);
CREATE INDEX questions_guild_at ON questions (guild, at_hour);

CREATE TABLE unanswered (
    id        INTEGER PRIMARY KEY,
    guild     TEXT   NOT NULL,
    kind      TEXT   NOT NULL CHECK (kind IN ('no_match', 'off_topic')),
    text      TEXT   NOT NULL,               -- redacted (store.Redact) and capped
    group_key TEXT   NOT NULL,               -- normalised words, for grouping
    status    TEXT   NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'covered')),
    at_hour   BIGINT NOT NULL
);
CREATE INDEX unanswered_at ON unanswered (at_hour);
CREATE INDEX unanswered_guild_at ON unanswered (guild, at_hour);

CREATE TABLE votes (
    guild   TEXT   NOT NULL,
    entry   TEXT   NOT NULL,
    at_hour BIGINT NOT NULL,
    up      BIGINT NOT NULL,
    down    BIGINT NOT NULL,
    PRIMARY KEY (guild, entry, at_hour)
);
CREATE INDEX votes_at ON votes (at_hour);

-- One vote per voter per answer: HMAC-SHA256(secret, voter key, answer id).
-- The secret is never stored, so a hash cannot be linked back to a voter.
CREATE TABLE vote_keys (
    hash    BLOB    PRIMARY KEY,
    guild   TEXT    NOT NULL,
    entry   TEXT    NOT NULL,
    at_hour BIGINT  NOT NULL,                -- the votes row it counts in
    up      BOOLEAN NOT NULL,
    expires BIGINT  NOT NULL                 -- unix seconds; swept after
);
CREATE INDEX vote_keys_expires ON vote_keys (expires);

-- +goose Down
DROP TABLE vote_keys;
DROP TABLE votes;
DROP TABLE unanswered;
DROP TABLE questions;
