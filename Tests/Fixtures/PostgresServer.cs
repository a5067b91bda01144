using System.Globalization;
using Npgsql;

namespace Observability.Tests.Fixtures;

/// <summary>
/// A throwaway PostgreSQL server from Debian's <c>postgresql</c> package: a new cluster in a temporary directory,
/// listening on one loopback port (trust authentication, no fsync: nothing here outlives the test). As root it runs
/// as the <c>postgres</c> user, which PostgreSQL requires. Disposing it kills the server and deletes its data.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string DebianPackage = "postgresql";
    private const string Superuser = "postgres";

    private readonly HostProcess _process;
    private readonly string _directory;

    private PostgresServer(HostProcess process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public HostProcess Process => _process;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = Superuser, Database = database }.ConnectionString;

    public static async Task<PostgresServer> StartAsync(string parentDirectory, int port)
    {
        var bin = BinDirectory();
        var directory = Path.Combine(parentDirectory, "postgres-" + port.ToString(CultureInfo.InvariantCulture));
        var data = Path.Combine(directory, "data");
        Directory.CreateDirectory(directory);
        if (IsRoot)
        {
            var (exitCode, output) = await ExternalTool.RunAsync("chown", "coreutils", directory, "-R", $"{Superuser}:{Superuser}", directory);
            Assert.True(exitCode == 0, $"chown failed ({exitCode}):\n{output}");
        }

        await RunAsync(Path.Combine(bin, "initdb"), directory, "-D", data, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-sync");
        var (fileName, arguments) = AsServerUser(Path.Combine(bin, "postgres"),
        [
            "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-k", directory,
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300",
            "-c", "track_functions=all", // pg_stat_user_functions counts the provider's statements
        ]);
        var server = new PostgresServer(HostProcess.Start("postgres", fileName, arguments, new Dictionary<string, string>(), directory), directory, port);
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    if (server._process.HasExited)
                    {
                        throw new InvalidOperationException($"postgres exited at start.\n{server._process.RecentOutput}");
                    }

                    try
                    {
                        await using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
                        await connection.OpenAsync();
                        return true;
                    }
                    catch (NpgsqlException)
                    {
                        return false;
                    }
                },
                "PostgreSQL to accept connections",
                TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>
    /// Creates an empty database owned by <paramref name="owner"/> (a login role, created if new), with the stream
    /// provider's schema applied by psql as that role (as compose's init does) when asked; returns the owner's
    /// connection string.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string name, bool withStreamingSchema, string owner = Superuser)
    {
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            if (owner != Superuser)
            {
                await using var role = new NpgsqlCommand($"DO $$ BEGIN CREATE ROLE \"{owner}\" LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$", connection);
                await role.ExecuteNonQueryAsync();
            }

            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER \"{owner}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        if (withStreamingSchema)
        {
            await ApplyStreamingSchemaAsync(name, owner);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString(name)) { Username = owner }.ConnectionString;
    }

    /// <summary>Runs deploy/postgres/orleans-streaming.sql against a database with psql, stopping at the first error.</summary>
    public async Task ApplyStreamingSchemaAsync(string database, string role = Superuser)
    {
        var (exitCode, output) = await ExternalTool.RunAsync("psql", "postgresql-client", _directory,
            "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-U", role, "-d", database, "-f", DeployFiles.StreamingSchema);
        Assert.True(exitCode == 0, $"applying {DeployFiles.StreamingSchema} failed ({exitCode}):\n{output}");
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory: best effort.
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    // PostgreSQL refuses to run as root; setpriv execs the program (no intermediate process), so killing the process
    // the test holds kills the server itself.
    // The parent-death signal is cleared when the user changes, so the server's own setpriv sets it again after.
    private static (string FileName, string[] Arguments) AsServerUser(string program, string[] arguments) =>
        IsRoot
            ? (ExternalTool.Require("setpriv", "util-linux"), [$"--reuid={Superuser}", $"--regid={Superuser}", "--init-groups", "--pdeathsig", "KILL", program, .. arguments])
            : (program, arguments);

    // Runs one of the server's programs as the server's user.
    private static async Task RunAsync(string program, string workingDirectory, params string[] arguments)
    {
        var (fileName, all) = AsServerUser(program, arguments);
        var (exitCode, output) = await ExternalTool.RunAsync(fileName, DebianPackage, workingDirectory, all);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({exitCode}):\n{output}");
        }
    }

    /// <summary>The newest installed server's bin directory (Debian keeps initdb and postgres off the PATH).</summary>
    private static string BinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(d => File.Exists(Path.Combine(d.Directory, "bin", "postgres")))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Directory, "bin"))
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            $"PostgreSQL is not installed: run bash .ci/test, which installs it (apt-get install -y {DebianPackage}).");
    }
}
