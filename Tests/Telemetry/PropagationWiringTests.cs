using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Observability.GrainTelemetry;
using Observability.Grains;

namespace Observability.Tests.Telemetry;

/// <summary>
/// Trace propagation is on exactly once: Orleans' own filters where its configuration turns them on (as Aspire's
/// Orleans integration does with Orleans__EnableDistributedTracing=true), the library's otherwise; both would start
/// every grain span twice. The library's filters also record the grain-call histograms, so each side of a call has at
/// most one filter stage of its own, and none where it would only pass calls on.
/// </summary>
public sealed class PropagationWiringTests
{
    private const string OrleansIncoming = "ActivityPropagationIncomingGrainCallFilter";
    private const string OrleansOutgoing = "ActivityPropagationOutgoingGrainCallFilter";
    private const string Incoming = nameof(IncomingGrainCallTelemetryFilter);
    private const string Outgoing = nameof(OutgoingGrainCallTelemetryFilter);

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("true")]
    public void The_silo_traces_grain_calls_exactly_once(string? enableDistributedTracing)
    {
        var (incoming, outgoing) = SiloFilters(Settings(enableDistributedTracing: enableDistributedTracing));

        if (enableDistributedTracing == "true")
        {
            // Orleans traces; the library's filter only measures, inside Orleans' span (so exemplars name it).
            Assert.Equal([OrleansIncoming, Incoming], incoming);
            Assert.Equal([OrleansOutgoing], outgoing);
        }
        else
        {
            Assert.Equal([Incoming], incoming);
            Assert.Equal([Outgoing], outgoing);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    public void The_client_traces_grain_calls_exactly_once(string? enableDistributedTracing)
    {
        var outgoing = ClientFilters(Settings(enableDistributedTracing: enableDistributedTracing));

        Assert.Equal(enableDistributedTracing == "true" ? [OrleansOutgoing, Outgoing] : [Outgoing], outgoing);
    }

    [Fact]
    public void With_the_sdk_disabled_neither_side_adds_a_grain_call_filter()
    {
        var (incoming, outgoing) = SiloFilters(Settings(sdkDisabled: "true"));
        Assert.Empty(incoming);
        Assert.Empty(outgoing);
        Assert.Empty(ClientFilters(Settings(sdkDisabled: "true")));

        // The switch is the SDK's own: anything but "true" leaves telemetry, and the filters, on.
        Assert.Equal([Outgoing], ClientFilters(Settings(sdkDisabled: "false")));
    }

    [Fact]
    public void Options_turn_each_signal_off_per_side()
    {
        // Metrics only on a silo: the incoming filter measures; outgoing calls would only be passed on.
        var (incoming, outgoing) = SiloFilters(Settings(), options => options.EnableTracing = false);
        Assert.Equal([Incoming], incoming);
        Assert.Empty(outgoing);

        // Tracing only on a silo still needs both directions.
        (incoming, outgoing) = SiloFilters(Settings(), options => options.EnableMetrics = false);
        Assert.Equal([Incoming], incoming);
        Assert.Equal([Outgoing], outgoing);

        Assert.Empty(ClientFilters(Settings(), options => (options.EnableTracing, options.EnableMetrics) = (false, false)));
    }

    [Fact]
    public void A_second_registration_on_the_same_builder_is_refused()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());

        var error = Assert.Throws<InvalidOperationException>(() =>
            builder.UseOrleansClient(client => client.AddGrainTelemetry().AddGrainTelemetry()));

        Assert.Contains("AddGrainTelemetry was called twice", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(string? enableDistributedTracing = null, string? sdkDisabled = null) => new()
    {
        [GrainTelemetryRegistration.EnableDistributedTracingKey] = enableDistributedTracing,
        [GrainTelemetryRegistration.SdkDisabledKey] = sdkDisabled,
    };

    /// <summary>The silo's grain-call filters, resolved as Orleans resolves them: in registration order.</summary>
    private static (List<string> Incoming, List<string> Outgoing) SiloFilters(
        Dictionary<string, string?> settings, Action<GrainTelemetryOptions>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Default);
            silo.AddGrainTelemetry(configure);
            silo.AddApplicationGrains();
        });
        using var services = builder.Services.BuildServiceProvider();
        return (Names(services.GetServices<IIncomingGrainCallFilter>()), Names(services.GetServices<IOutgoingGrainCallFilter>()));
    }

    private static List<string> ClientFilters(Dictionary<string, string?> settings, Action<GrainTelemetryOptions>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleansClient(client => client.AddGrainTelemetry(configure));
        using var services = builder.Services.BuildServiceProvider();
        return Names(services.GetServices<IOutgoingGrainCallFilter>());
    }

    private static List<string> Names<T>(IEnumerable<T> filters) where T : notnull => [.. filters.Select(f => f.GetType().Name)];
}
