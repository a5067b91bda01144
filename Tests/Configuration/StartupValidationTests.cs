using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Observability.Api.Cluster;
using Observability.GrainTelemetry;
using Observability.Grains;
using Observability.Grains.Interfaces;
using Observability.ServiceDefaults.Hosting;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Configuration;

/// <summary>A misconfigured host stops at start-up with a message that names the setting to fix.</summary>
public sealed class StartupValidationTests
{
    [Fact]
    public async Task A_latency_range_upside_down_stops_the_silo_before_it_starts()
    {
        using var host = LocalSilo(
            silo =>
            {
                silo.AddMemoryGrainStorage(StorageNames.Default);
                silo.AddMemoryStreams(OrderEvents.ProviderName);
                silo.AddApplicationGrains();
            },
            new("SimulatedDatabase:MinLatency", "00:00:01"),
            new("SimulatedDatabase:MaxLatency", "00:00:00.5"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("SimulatedDatabase:MaxLatency", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_without_the_order_events_stream_says_which_setting_is_missing()
    {
        using var host = LocalSilo(silo =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Default);
            silo.AddApplicationGrains();
        });

        var error = await Assert.ThrowsAsync<OrleansConfigurationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Orleans__Streaming__OrderEvents__ProviderType", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_provider_added_after_the_grain_telemetry_stops_the_silo_and_says_what_to_move()
    {
        using var host = LocalSilo(silo =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Default);
            silo.AddMemoryStreams(OrderEvents.ProviderName);
            silo.AddGrainTelemetry();
            silo.AddMemoryStreams("added-late");
            silo.AddApplicationGrains();
        });

        var error = await Assert.ThrowsAsync<OrleansConfigurationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("'added-late'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain($"'{OrderEvents.ProviderName}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Call AddGrainTelemetry() after adding stream providers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_silo_without_grain_storage_says_which_setting_is_missing()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());

        var error = Assert.Throws<InvalidOperationException>(() => builder.UseOrleans(silo => silo.AddApplicationGrains()));

        Assert.Contains("Orleans__GrainStorage__Default__ProviderType", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost:30000")]
    [InlineData("")]
    [InlineData(null)]
    public void An_api_without_a_usable_gateway_address_refuses_to_start(string? gateway)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Configuration.AddInMemoryCollection([
            new("Orleans:Clustering:ProviderType", "Development"),
            new("Orleans:Clustering:Gateways:0", gateway),
        ]);

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddClusterClient());

        Assert.Contains("Orleans__Clustering__Gateways__0=127.0.0.1:30000", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080", "uses a port the host already serves its public endpoints on")]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:0", "must name a fixed port")]
    public void A_management_endpoint_that_cannot_be_told_from_the_public_one_is_refused(string urls, string management, string why)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Configuration.AddInMemoryCollection([new("urls", urls), new(ManagementEndpoint.UrlKey, management)]);

        var error = Assert.Throws<InvalidOperationException>(() => ManagementEndpoint.Listen(builder));

        Assert.Contains(ManagementEndpoint.UrlKey, error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_management_endpoint_is_added_to_the_addresses_the_host_listens_on()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Configuration.AddInMemoryCollection([new("http_ports", "8080"), new(ManagementEndpoint.UrlKey, "http://+:8081")]);

        var port = ManagementEndpoint.Listen(builder);

        Assert.Equal(8081, port);
        Assert.Equal("http://*:8080;http://+:8081", builder.Configuration["urls"]);
        Assert.True(string.IsNullOrEmpty(builder.Configuration["http_ports"]));
    }

    /// <summary>A silo host on free loopback ports, with <paramref name="settings"/> and the rest from <paramref name="configure"/>; not started.</summary>
    private static IHost LocalSilo(Action<ISiloBuilder> configure, params KeyValuePair<string, string?>[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: ProcessStack.FreePort(), gatewayPort: ProcessStack.FreePort());
            configure(silo);
        });
        return builder.Build();
    }
}
