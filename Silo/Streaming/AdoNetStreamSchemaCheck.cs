using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace Observability.Silo.Streaming;

/// <summary>
/// Stops a silo at start-up, with the fix in the message, when the stream provider's PostgreSQL database cannot be
/// reached or lacks the statements the provider reads (the provider itself fails with <c>relation "orleansquery" does
/// not exist</c>). Other ADO.NET invariants are left to the provider.
/// </summary>
internal sealed class AdoNetStreamSchemaCheck(string providerName, IOptionsMonitor<AdoNetStreamOptions> options)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public const string SchemaFile = "deploy/postgres/orleans-streaming.sql";

    // The OrleansQuery keys Microsoft.Orleans.Streaming.AdoNet looks up.
    private static readonly string[] RequiredQueries =
    [
        "QueueStreamMessageKey", "GetStreamMessagesKey", "ConfirmStreamMessagesKey",
        "FailStreamMessageKey", "EvictStreamMessagesKey", "EvictStreamDeadLettersKey",
    ];

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(AdoNetStreamSchemaCheck)}-{providerName}", ServiceLifecycleStage.RuntimeInitialize, CheckAsync);

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var settings = options.Get(providerName);
        if (!string.Equals(settings.Invariant, AdoNetStreamProviderBuilder.DefaultInvariant, StringComparison.Ordinal))
        {
            return;
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var connection = settings.DataSource?.CreateConnection() ?? new NpgsqlConnection(settings.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT QueryKey FROM OrleansQuery";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetString(0));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new OrleansConfigurationException(
                $"Stream provider '{providerName}': its database has no OrleansQuery table. Apply {SchemaFile} to it " +
                "(Microsoft.Orleans.Streaming.AdoNet ships no schema).", e);
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or TimeoutException)
        {
            throw new OrleansConfigurationException(
                $"Stream provider '{providerName}' cannot use its database " +
                $"(Orleans__Streaming__{providerName}__ConnectionString): {e.Message}", e);
        }

        var missing = RequiredQueries.Where(key => !present.Contains(key)).ToList();
        if (missing.Count > 0)
        {
            throw new OrleansConfigurationException(
                $"Stream provider '{providerName}': OrleansQuery lacks {string.Join(", ", missing)}. Apply {SchemaFile} to its database.");
        }
    }
}
