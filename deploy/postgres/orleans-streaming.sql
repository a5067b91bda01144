-- The queue of Orleans' AdoNet stream provider (Microsoft.Orleans.Streaming.AdoNet) on PostgreSQL 13 or later.
-- The package ships no schema; this is the project's own, written against the provider's contract: it reads its
-- six statements from OrleansQuery at start-up, binds @-named parameters and reads result columns by name.
-- Idempotent: apply it to a new database (compose mounts it into the image's init directory) or again after an
-- upgrade. Everything lives in the current schema.
--
-- Semantics (per service, provider and queue):
--   * a message is visible when visible_on has passed; dequeuing hides it for the visibility timeout and counts an
--     attempt; the attempt count returned is the receipt that confirms or releases it, so a stale receiver that lost
--     a message to another silo cannot delete or release it;
--   * a confirmed message is deleted; a released one (a silo shutting down) is visible again at once;
--   * a failed delivery makes the message visible again while attempts remain, otherwise it becomes a dead letter;
--   * expired messages and messages out of attempts move to the dead letters, which are deleted after the removal
--     timeout; this eviction runs at most once per eviction interval, from whichever silo dequeues first.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL PRIMARY KEY,
    QueryText varchar(8000) NOT NULL
);

CREATE TABLE IF NOT EXISTS orleans_stream_message
(
    service_id  text        NOT NULL,
    provider_id text        NOT NULL,
    queue_id    text        NOT NULL,
    message_id  bigint      GENERATED ALWAYS AS IDENTITY,
    dequeued    integer     NOT NULL DEFAULT 0,
    visible_on  timestamptz NOT NULL,
    expires_on  timestamptz NOT NULL,
    created_on  timestamptz NOT NULL,
    modified_on timestamptz NOT NULL,
    payload     bytea       NOT NULL,
    PRIMARY KEY (service_id, provider_id, queue_id, message_id)
);

CREATE TABLE IF NOT EXISTS orleans_stream_dead_letter
(
    service_id       text        NOT NULL,
    provider_id      text        NOT NULL,
    queue_id         text        NOT NULL,
    message_id       bigint      NOT NULL,
    dequeued         integer     NOT NULL,
    visible_on       timestamptz NOT NULL,
    expires_on       timestamptz NOT NULL,
    created_on       timestamptz NOT NULL,
    modified_on      timestamptz NOT NULL,
    dead_lettered_on timestamptz NOT NULL,
    remove_on        timestamptz NOT NULL,
    payload          bytea       NOT NULL,
    PRIMARY KEY (service_id, provider_id, queue_id, message_id)
);

CREATE INDEX IF NOT EXISTS orleans_stream_dead_letter_remove_on
    ON orleans_stream_dead_letter (service_id, provider_id, queue_id, remove_on);

-- When each queue's next eviction is due.
CREATE TABLE IF NOT EXISTS orleans_stream_control
(
    service_id  text        NOT NULL,
    provider_id text        NOT NULL,
    queue_id    text        NOT NULL,
    evict_on    timestamptz NOT NULL,
    PRIMARY KEY (service_id, provider_id, queue_id)
);

-- Result column names are quoted: the provider reads them by their exact names. Every batch is chosen in a
-- MATERIALIZED CTE: as a subquery the planner may rescan it per row, and a rescanned LIMIT ... SKIP LOCKED picks anew.
CREATE OR REPLACE FUNCTION orleans_stream_queue(
    p_service_id text, p_provider_id text, p_queue_id text, p_payload bytea, p_expiry_timeout integer)
RETURNS TABLE ("ServiceId" text, "ProviderId" text, "QueueId" text, "MessageId" bigint)
LANGUAGE sql AS $$
    INSERT INTO orleans_stream_message (service_id, provider_id, queue_id, visible_on, expires_on, created_on, modified_on, payload)
    VALUES (p_service_id, p_provider_id, p_queue_id, now(), now() + make_interval(secs => p_expiry_timeout), now(), now(), p_payload)
    RETURNING service_id, provider_id, queue_id, message_id;
$$;

-- Moves up to p_max_count messages that expired or ran out of attempts to the dead letters.
CREATE OR REPLACE FUNCTION orleans_stream_evict_messages(
    p_service_id text, p_provider_id text, p_queue_id text, p_max_count integer, p_max_attempts integer, p_removal_timeout integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_moved integer;
BEGIN
    WITH victim AS MATERIALIZED (
        SELECT m.message_id
        FROM orleans_stream_message m
        WHERE m.service_id = p_service_id AND m.provider_id = p_provider_id AND m.queue_id = p_queue_id
          AND ((m.dequeued >= p_max_attempts AND m.visible_on <= now()) OR m.expires_on <= now())
        ORDER BY m.message_id
        LIMIT p_max_count
        FOR UPDATE SKIP LOCKED),
    moved AS (
        DELETE FROM orleans_stream_message m
        USING victim v
        WHERE m.service_id = p_service_id AND m.provider_id = p_provider_id AND m.queue_id = p_queue_id
          AND m.message_id = v.message_id
        RETURNING m.*)
    INSERT INTO orleans_stream_dead_letter
        (service_id, provider_id, queue_id, message_id, dequeued, visible_on, expires_on, created_on, modified_on,
         dead_lettered_on, remove_on, payload)
    SELECT service_id, provider_id, queue_id, message_id, dequeued, visible_on, expires_on, created_on, modified_on,
           now(), now() + make_interval(secs => p_removal_timeout), payload
    FROM moved;
    GET DIAGNOSTICS v_moved = ROW_COUNT;
    RETURN v_moved;
END;
$$;

-- Deletes up to p_max_count dead letters whose removal time has passed.
CREATE OR REPLACE FUNCTION orleans_stream_evict_dead_letters(
    p_service_id text, p_provider_id text, p_queue_id text, p_max_count integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_deleted integer;
BEGIN
    WITH victim AS MATERIALIZED (
        SELECT x.message_id
        FROM orleans_stream_dead_letter x
        WHERE x.service_id = p_service_id AND x.provider_id = p_provider_id AND x.queue_id = p_queue_id
          AND x.remove_on <= now()
        ORDER BY x.remove_on
        LIMIT p_max_count
        FOR UPDATE SKIP LOCKED)
    DELETE FROM orleans_stream_dead_letter d
    USING victim v
    WHERE d.service_id = p_service_id AND d.provider_id = p_provider_id AND d.queue_id = p_queue_id
      AND d.message_id = v.message_id;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END;
$$;

-- Dequeues up to p_max_count visible messages in order, hiding each for the visibility timeout; evicts first when due.
CREATE OR REPLACE FUNCTION orleans_stream_dequeue(
    p_service_id text, p_provider_id text, p_queue_id text, p_max_count integer, p_max_attempts integer,
    p_visibility_timeout integer, p_removal_timeout integer, p_eviction_interval integer, p_eviction_batch_size integer)
RETURNS TABLE ("ServiceId" text, "ProviderId" text, "QueueId" text, "MessageId" bigint, "Dequeued" integer,
               "VisibleOn" timestamptz, "ExpiresOn" timestamptz, "CreatedOn" timestamptz, "ModifiedOn" timestamptz,
               "Payload" bytea)
LANGUAGE plpgsql AS $$
DECLARE
    v_evict boolean;
BEGIN
    -- Claims this interval's eviction: only the caller whose upsert changed the row (or created it) evicts.
    INSERT INTO orleans_stream_control AS c (service_id, provider_id, queue_id, evict_on)
    VALUES (p_service_id, p_provider_id, p_queue_id, now() + make_interval(secs => p_eviction_interval))
    ON CONFLICT (service_id, provider_id, queue_id)
        DO UPDATE SET evict_on = EXCLUDED.evict_on WHERE c.evict_on <= now()
    RETURNING true INTO v_evict;
    IF v_evict THEN
        PERFORM orleans_stream_evict_messages(p_service_id, p_provider_id, p_queue_id, p_eviction_batch_size, p_max_attempts, p_removal_timeout);
        PERFORM orleans_stream_evict_dead_letters(p_service_id, p_provider_id, p_queue_id, p_eviction_batch_size);
    END IF;

    RETURN QUERY
    WITH next AS MATERIALIZED (
        SELECT m.message_id
        FROM orleans_stream_message m
        WHERE m.service_id = p_service_id AND m.provider_id = p_provider_id AND m.queue_id = p_queue_id
          AND m.visible_on <= now() AND m.expires_on > now() AND m.dequeued < p_max_attempts
        ORDER BY m.message_id
        LIMIT p_max_count
        FOR UPDATE SKIP LOCKED)
    UPDATE orleans_stream_message m
    SET dequeued = m.dequeued + 1,
        visible_on = now() + make_interval(secs => p_visibility_timeout),
        modified_on = now()
    FROM next
    WHERE m.service_id = p_service_id AND m.provider_id = p_provider_id AND m.queue_id = p_queue_id
      AND m.message_id = next.message_id
    RETURNING m.service_id, m.provider_id, m.queue_id, m.message_id, m.dequeued, m.visible_on, m.expires_on,
              m.created_on, m.modified_on, m.payload;
END;
$$;

-- p_items is "id:receipt|id:receipt": a positive receipt confirms (deletes) the message, a negative one releases it
-- (visible again at once). Either applies only while the message's attempt count still equals the receipt.
CREATE OR REPLACE FUNCTION orleans_stream_confirm(
    p_service_id text, p_provider_id text, p_queue_id text, p_items text)
RETURNS TABLE ("ServiceId" text, "ProviderId" text, "QueueId" text, "MessageId" bigint)
LANGUAGE sql AS $$
    WITH item AS (
        SELECT split_part(i, ':', 1)::bigint AS message_id, split_part(i, ':', 2)::integer AS receipt
        FROM unnest(string_to_array(p_items, '|')) AS i),
    confirmed AS (
        DELETE FROM orleans_stream_message m
        USING item
        WHERE m.service_id = p_service_id AND m.provider_id = p_provider_id AND m.queue_id = p_queue_id
          AND m.message_id = item.message_id AND item.receipt > 0 AND m.dequeued = item.receipt
        RETURNING m.service_id, m.provider_id, m.queue_id, m.message_id),
    released AS (
        UPDATE orleans_stream_message m
        SET visible_on = now(), modified_on = now()
        FROM item
        WHERE m.service_id = p_service_id AND m.provider_id = p_provider_id AND m.queue_id = p_queue_id
          AND m.message_id = item.message_id AND item.receipt < 0 AND m.dequeued = -item.receipt
        RETURNING m.service_id, m.provider_id, m.queue_id, m.message_id)
    SELECT * FROM confirmed
    UNION ALL
    SELECT * FROM released;
$$;

-- A failed delivery: visible again while attempts remain, otherwise a dead letter.
CREATE OR REPLACE FUNCTION orleans_stream_fail(
    p_service_id text, p_provider_id text, p_queue_id text, p_message_id bigint, p_max_attempts integer, p_removal_timeout integer)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orleans_stream_message m
    SET visible_on = now(), modified_on = now()
    WHERE m.service_id = p_service_id AND m.provider_id = p_provider_id AND m.queue_id = p_queue_id
      AND m.message_id = p_message_id AND m.dequeued < p_max_attempts;
    IF FOUND THEN
        RETURN;
    END IF;

    WITH moved AS (
        DELETE FROM orleans_stream_message m
        WHERE m.service_id = p_service_id AND m.provider_id = p_provider_id AND m.queue_id = p_queue_id
          AND m.message_id = p_message_id
        RETURNING m.*)
    INSERT INTO orleans_stream_dead_letter
        (service_id, provider_id, queue_id, message_id, dequeued, visible_on, expires_on, created_on, modified_on,
         dead_lettered_on, remove_on, payload)
    SELECT service_id, provider_id, queue_id, message_id, dequeued, visible_on, expires_on, created_on, modified_on,
           now(), now() + make_interval(secs => p_removal_timeout), payload
    FROM moved;
END;
$$;

-- The statements the provider runs, by the keys it looks up.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
    ('QueueStreamMessageKey',
     'SELECT * FROM orleans_stream_queue(@ServiceId, @ProviderId, @QueueId, @Payload, @ExpiryTimeout)'),
    ('GetStreamMessagesKey',
     'SELECT * FROM orleans_stream_dequeue(@ServiceId, @ProviderId, @QueueId, @MaxCount, @MaxAttempts, @VisibilityTimeout, @RemovalTimeout, @EvictionInterval, @EvictionBatchSize)'),
    ('ConfirmStreamMessagesKey',
     'SELECT * FROM orleans_stream_confirm(@ServiceId, @ProviderId, @QueueId, @Items)'),
    ('FailStreamMessageKey',
     'SELECT orleans_stream_fail(@ServiceId, @ProviderId, @QueueId, @MessageId, @MaxAttempts, @RemovalTimeout)'),
    ('EvictStreamMessagesKey',
     'SELECT orleans_stream_evict_messages(@ServiceId, @ProviderId, @QueueId, @MaxCount, @MaxAttempts, @RemovalTimeout)'),
    ('EvictStreamDeadLettersKey',
     'SELECT orleans_stream_evict_dead_letters(@ServiceId, @ProviderId, @QueueId, @MaxCount)')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
