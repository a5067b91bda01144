using Npgsql;

namespace Observability.Tests.Fixtures;

/// <summary>
/// A PostgreSQL server with one database holding deploy/postgres/orleans-streaming.sql (applied twice, as an upgrade
/// would), and the provider's statements as the provider reads them from OrleansQuery.
/// </summary>
public sealed class StreamingDatabaseFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-observability-pg-" + Guid.NewGuid().ToString("N")[..8]);

    public PostgresServer Server { get; private set; } = null!;

    public string ConnectionString { get; private set; } = null!;

    /// <summary>OrleansQuery: query key to statement.</summary>
    public IReadOnlyDictionary<string, string> Queries { get; private set; } = new Dictionary<string, string>();

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Server = await PostgresServer.StartAsync(_directory, ProcessStack.FreePort());
        ConnectionString = await Server.CreateDatabaseAsync("streams", withStreamingSchema: true);
        await Server.ApplyStreamingSchemaAsync("streams");

        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            queries.Add(reader.GetString(0), reader.GetString(1));
        }

        Queries = queries;
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory: best effort.
        }
    }
}
