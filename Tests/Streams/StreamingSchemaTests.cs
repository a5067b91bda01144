using Npgsql;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Streams;

/// <summary>
/// deploy/postgres/orleans-streaming.sql against a real PostgreSQL, through the statements Orleans' AdoNet stream
/// provider reads from OrleansQuery, called with its parameter names and value types and read by its column names.
/// </summary>
public sealed class StreamingSchemaTests(StreamingDatabaseFixture database) : IClassFixture<StreamingDatabaseFixture>
{
    private const string ServiceId = "schema-tests";
    private const string ProviderId = "OrderEvents";
    private const int LongTimeout = 3_600;

    private const string Messages = "orleans_stream_message";
    private const string DeadLetters = "orleans_stream_dead_letter";

    // Each test its own queue: the tests share one database.
    private readonly Queue _queue = new(database);

    [Fact]
    public void The_schema_defines_every_statement_the_provider_looks_up()
    {
        Assert.Equal(
            ["ConfirmStreamMessagesKey", "EvictStreamDeadLettersKey", "EvictStreamMessagesKey", "FailStreamMessageKey", "GetStreamMessagesKey", "QueueStreamMessageKey"],
            database.Queries.Keys.Order());
    }

    [Fact]
    public async Task Messages_are_dequeued_in_order_once_each_until_their_visibility_timeout()
    {
        var ids = new List<long>();
        foreach (var payload in new byte[][] { [1], [2, 2], [3, 3, 3] })
        {
            ids.Add(await _queue.QueueAsync(payload));
        }

        Assert.Equal(ids.Order(), ids);
        var first = await _queue.DequeueAsync(maxCount: 2);
        Assert.Equal(ids[..2], first.Select(m => m.MessageId));
        Assert.All(first, m => Assert.Equal(1, m.Dequeued));
        Assert.Equal([[1], [2, 2]], first.Select(m => m.Payload));
        Assert.All(first, m => Assert.True(m.VisibleOn > DateTime.UtcNow.AddMinutes(59), $"visible again at {m.VisibleOn:O}"));
        Assert.All(first, m => Assert.Equal(DateTimeKind.Utc, m.ExpiresOn.Kind));

        Assert.Equal([ids[2]], (await _queue.DequeueAsync(maxCount: 10)).Select(m => m.MessageId));
        Assert.Empty(await _queue.DequeueAsync(maxCount: 10));
    }

    [Fact]
    public async Task A_receipt_confirms_or_releases_a_message_only_while_it_is_the_latest_attempt()
    {
        var id = await _queue.QueueAsync([7]);
        var attempt = Assert.Single(await _queue.DequeueAsync(maxCount: 1));

        Assert.Empty(await _queue.ConfirmAsync($"{id}:{attempt.Dequeued + 1}"));
        Assert.Empty(await _queue.ConfirmAsync($"{id}:-{attempt.Dequeued + 1}"));
        Assert.Equal([id], await _queue.ConfirmAsync($"{id}:-{attempt.Dequeued}"));

        // Released: visible again at once, as a second attempt whose receipt supersedes the first.
        var second = Assert.Single(await _queue.DequeueAsync(maxCount: 1, visibilityTimeout: 0));
        Assert.Equal(2, second.Dequeued);
        Assert.Empty(await _queue.ConfirmAsync($"{id}:{attempt.Dequeued}"));
        Assert.Equal(1, await _queue.CountAsync(Messages));

        Assert.Equal([id], await _queue.ConfirmAsync($"{id}:{second.Dequeued}"));
        Assert.Equal(0, await _queue.CountAsync(Messages));
    }

    [Fact]
    public async Task A_failed_delivery_is_retried_until_the_last_attempt_and_then_kept_as_a_dead_letter()
    {
        var id = await _queue.QueueAsync([9]);
        Assert.Equal(1, Assert.Single(await _queue.DequeueAsync(maxCount: 1, maxAttempts: 2)).Dequeued);
        await _queue.FailAsync(id, maxAttempts: 2, removalTimeout: LongTimeout);
        Assert.Equal(2, Assert.Single(await _queue.DequeueAsync(maxCount: 1, maxAttempts: 2)).Dequeued);
        await _queue.FailAsync(id, maxAttempts: 2, removalTimeout: LongTimeout);

        Assert.Empty(await _queue.DequeueAsync(maxCount: 1, maxAttempts: 2));
        Assert.Equal(0, await _queue.CountAsync(Messages));
        var (dequeued, removeOn, payload) = await _queue.DeadLetterAsync(id);
        Assert.Equal(2, dequeued);
        Assert.True(removeOn > DateTime.UtcNow.AddMinutes(59), $"removed at {removeOn:O}");
        Assert.Equal([9], payload);
    }

    [Fact]
    public async Task Expired_messages_are_never_delivered_and_move_to_the_dead_letters_once_per_eviction_interval()
    {
        // The queue's first dequeue is due to evict.
        var first = await _queue.QueueAsync([1], expiryTimeout: 0);
        Assert.Empty(await _queue.DequeueAsync(maxCount: 10));
        Assert.Equal(0, await _queue.CountAsync(Messages));
        Assert.Equal(0, (await _queue.DeadLetterAsync(first)).Dequeued);

        // The next eviction is an hour away: a second expired message stays where it is, undelivered.
        await _queue.QueueAsync([2], expiryTimeout: 0);
        Assert.Empty(await _queue.DequeueAsync(maxCount: 10));
        Assert.Equal(1, await _queue.CountAsync(Messages));

        // The provider's own eviction statement moves it (and a third) regardless, here to be removed at once.
        await _queue.QueueAsync([3], expiryTimeout: 0);
        await _queue.ExecuteAsync("EvictStreamMessagesKey", ("MaxCount", 10), ("MaxAttempts", 5), ("RemovalTimeout", 0));
        Assert.Equal(0, await _queue.CountAsync(Messages));
        Assert.Equal(3, await _queue.CountAsync(DeadLetters));

        // Dead letters past their removal time are deleted, a batch at a time; the first, with an hour to go, stays.
        await _queue.ExecuteAsync("EvictStreamDeadLettersKey", ("MaxCount", 1));
        Assert.Equal(2, await _queue.CountAsync(DeadLetters));
        await _queue.ExecuteAsync("EvictStreamDeadLettersKey", ("MaxCount", 10));
        Assert.Equal([first], await _queue.IdsAsync(DeadLetters));
    }

    [Fact]
    public async Task A_queue_sees_only_its_own_messages()
    {
        var other = new Queue(database);
        var mine = await _queue.QueueAsync([1]);
        var theirs = await other.QueueAsync([2]);

        Assert.Equal([mine], (await _queue.DequeueAsync(maxCount: 10)).Select(m => m.MessageId));
        Assert.Equal([theirs], (await other.DequeueAsync(maxCount: 10)).Select(m => m.MessageId));
    }

    private sealed record Message(long MessageId, int Dequeued, DateTime VisibleOn, DateTime ExpiresOn, byte[] Payload);

    /// <summary>One queue of the provider: its statements, called with the queue's ids.</summary>
    private sealed class Queue(StreamingDatabaseFixture database)
    {
        private readonly string _id = "queue-" + Guid.NewGuid().ToString("N")[..8];

        public async Task<long> QueueAsync(byte[] payload, int expiryTimeout = LongTimeout)
        {
            var rows = await ReadAsync("QueueStreamMessageKey", r => (long)r["MessageId"], ("Payload", payload), ("ExpiryTimeout", expiryTimeout));
            return Assert.Single(rows);
        }

        public Task<List<Message>> DequeueAsync(int maxCount, int maxAttempts = 5, int visibilityTimeout = LongTimeout) =>
            ReadAsync(
                "GetStreamMessagesKey",
                r => new Message((long)r["MessageId"], (int)r["Dequeued"], (DateTime)r["VisibleOn"], (DateTime)r["ExpiresOn"], (byte[])r["Payload"]),
                ("MaxCount", maxCount), ("MaxAttempts", maxAttempts), ("VisibilityTimeout", visibilityTimeout),
                ("RemovalTimeout", LongTimeout), ("EvictionInterval", LongTimeout), ("EvictionBatchSize", 100));

        public Task<List<long>> ConfirmAsync(string items) =>
            ReadAsync("ConfirmStreamMessagesKey", r => (long)r["MessageId"], ("Items", items));

        public Task FailAsync(long messageId, int maxAttempts, int removalTimeout) =>
            ExecuteAsync("FailStreamMessageKey", ("MessageId", messageId), ("MaxAttempts", maxAttempts), ("RemovalTimeout", removalTimeout));

        public async Task<(int Dequeued, DateTime RemoveOn, byte[] Payload)> DeadLetterAsync(long messageId)
        {
            await using var connection = await OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT dequeued, remove_on, payload FROM orleans_stream_dead_letter WHERE queue_id = @q AND message_id = @id", connection);
            command.Parameters.AddWithValue("q", _id);
            command.Parameters.AddWithValue("id", messageId);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync(), $"message {messageId} is not a dead letter");
            return (reader.GetInt32(0), reader.GetDateTime(1), (byte[])reader[2]);
        }

        public async Task<List<long>> IdsAsync(string table)
        {
            await using var connection = await OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT message_id FROM {table} WHERE queue_id = @q", connection);
            command.Parameters.AddWithValue("q", _id);
            var ids = new List<long>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetInt64(0));
            }

            return ids;
        }

        public async Task<int> CountAsync(string table) => (await IdsAsync(table)).Count;

        private async Task<List<T>> ReadAsync<T>(string key, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
        {
            await using var connection = await OpenAsync();
            await using var command = Command(connection, key, parameters);
            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(read(reader));
            }

            return rows;
        }

        public async Task ExecuteAsync(string key, params (string Name, object Value)[] parameters)
        {
            await using var connection = await OpenAsync();
            await using var command = Command(connection, key, parameters);
            await command.ExecuteNonQueryAsync();
        }

        // As the provider binds them: unprefixed names, CLR values, no declared types.
        private NpgsqlCommand Command(NpgsqlConnection connection, string key, (string Name, object Value)[] parameters)
        {
            var command = new NpgsqlCommand(database.Queries[key], connection);
            command.Parameters.Add(new NpgsqlParameter("ServiceId", ServiceId));
            command.Parameters.Add(new NpgsqlParameter("ProviderId", ProviderId));
            command.Parameters.Add(new NpgsqlParameter("QueueId", _id));
            foreach (var (name, value) in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter(name, value));
            }

            return command;
        }

        private async Task<NpgsqlConnection> OpenAsync()
        {
            var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            return connection;
        }
    }
}
