using Observability.Tests.Fixtures;

namespace Observability.Tests.Configuration;

/// <summary>
/// A silo process whose durable stream provider cannot use its PostgreSQL database stops at start-up and says what
/// to do, instead of Orleans' <c>relation "orleansquery" does not exist</c> or a silo that starts and loses events.
/// </summary>
public sealed class StreamDatabaseStartupTests(StreamingDatabaseFixture database) : IClassFixture<StreamingDatabaseFixture>
{
    [Fact]
    public async Task A_stream_database_without_the_schema_stops_the_silo_and_names_the_file_to_apply()
    {
        var connectionString = await database.Server.CreateDatabaseAsync("no_schema_" + Guid.NewGuid().ToString("N")[..8], withStreamingSchema: false);

        var output = await SiloFailsToStartAsync(connectionString);

        Assert.Contains("Stream provider 'OrderEvents': its database has no OrleansQuery table. Apply deploy/postgres/orleans-streaming.sql to it", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_database_that_does_not_exist_stops_the_silo_and_names_the_setting()
    {
        var output = await SiloFailsToStartAsync(database.Server.ConnectionString("no_such_database"));

        Assert.Contains("Stream provider 'OrderEvents' cannot use its database (Orleans__Streaming__OrderEvents__ConnectionString): 3D000", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_with_the_schema_applied_starts()
    {
        await using var silo = StartSilo(database.ConnectionString, out var http);
        using var client = new HttpClient();
        await Eventually.TrueAsync(
            async () =>
            {
                Assert.False(silo.HasExited, silo.RecentOutput);
                try
                {
                    return (await client.GetAsync(new Uri(http, "/health/ready"))).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "the silo to be ready",
            TimeSpan.FromSeconds(60));
    }

    private static async Task<string> SiloFailsToStartAsync(string connectionString)
    {
        await using var silo = StartSilo(connectionString, out _);
        Assert.True(await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"the silo is still running\n{silo.RecentOutput}");
        Assert.NotEqual(0, silo.ExitCode);
        return silo.RecentOutput;
    }

    private static HostProcess StartSilo(string streamsConnectionString, out Uri http)
    {
        var assembly = ProcessStack.RequiredFile("SiloAssemblyPath", "build the Silo project");
        http = new Uri($"http://127.0.0.1:{ProcessStack.FreePort()}");
        return HostProcess.Start("silo", "dotnet", [assembly], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = http.ToString(),
            ["OTEL_SDK_DISABLED"] = "true",
            ["Orleans__ClusterId"] = "startup-" + Guid.NewGuid().ToString("N")[..8],
            ["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1",
            ["Orleans__Endpoints__SiloPort"] = ProcessStack.FreePort().ToString(),
            ["Orleans__Endpoints__GatewayPort"] = ProcessStack.FreePort().ToString(),
            ["Orleans__Streaming__OrderEvents__ProviderType"] = "AdoNet",
            ["Orleans__Streaming__OrderEvents__ConnectionString"] = streamsConnectionString,
        }, Path.GetDirectoryName(assembly)!);
    }
}
