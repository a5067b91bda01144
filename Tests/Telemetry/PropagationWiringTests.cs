using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Observability.Api.Orleans;
using Observability.Grains;
using Observability.ServiceDefaults.Telemetry;

namespace Observability.Tests.Telemetry;

/// <summary>
/// Trace propagation must be on exactly once: Orleans' own filters when its configuration turned them on (as Aspire's
/// Orleans integration does with Orleans__EnableDistributedTracing=true), the project's otherwise. Both would start
/// every grain span twice. The project's filters also record the grain-call histograms, so each side of a call has one
/// filter stage; with the SDK disabled, none.
/// </summary>
public sealed class PropagationWiringTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("true")]
    public void The_silo_registers_the_propagation_filters_once(string? enableDistributedTracing)
    {
        var builder = CreateBuilder(enableDistributedTracing);

        builder.UseOrleans(silo =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Default);
            silo.AddGrainObservability();
        });

        AssertOnce(builder.Services, enableDistributedTracing, nameof(IncomingGrainCallTelemetryFilter), "ActivityPropagationIncomingGrainCallFilter");
        AssertOnce(builder.Services, enableDistributedTracing, nameof(OutgoingGrainCallTracingFilter), "ActivityPropagationOutgoingGrainCallFilter");

        // The grain-call histogram: recorded by the project's incoming filter, or by a filter of its own beside Orleans'.
        Assert.Equal(enableDistributedTracing == "true" ? 1 : 0, Count(builder.Services, nameof(IncomingGrainCallMetricsFilter)));
        Assert.Single(builder.Services, d => d.ServiceType == typeof(IOutgoingGrainCallFilter));
        Assert.Equal(enableDistributedTracing == "true" ? 2 : 1, builder.Services.Count(d => d.ServiceType == typeof(IIncomingGrainCallFilter)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    public void The_client_registers_the_propagation_filter_once(string? enableDistributedTracing)
    {
        var builder = CreateBuilder(enableDistributedTracing);

        builder.UseOrleansClient(client => client.AddGrainClientObservability());

        AssertOnce(builder.Services, enableDistributedTracing, nameof(OutgoingGrainCallTelemetryFilter), "ActivityPropagationOutgoingGrainCallFilter");

        // Propagation and the client histogram share one stage of the call chain unless Orleans propagates itself.
        Assert.Equal(enableDistributedTracing == "true" ? 1 : 0, Count(builder.Services, nameof(OutgoingGrainCallMetricsFilter)));
        Assert.Equal(enableDistributedTracing == "true" ? 2 : 1, builder.Services.Count(d => d.ServiceType == typeof(IOutgoingGrainCallFilter)));
    }

    [Fact]
    public void With_the_sdk_disabled_neither_host_adds_a_grain_call_filter()
    {
        var silo = CreateBuilder(enableDistributedTracing: null, sdkDisabled: "true");
        silo.UseOrleans(builder =>
        {
            builder.AddMemoryGrainStorage(StorageNames.Default);
            builder.AddGrainObservability();
        });
        var client = CreateBuilder(enableDistributedTracing: null, sdkDisabled: "true");
        client.UseOrleansClient(builder => builder.AddGrainClientObservability());

        foreach (var services in new[] { silo.Services, client.Services })
        {
            Assert.DoesNotContain(services, d =>
                d.ServiceType == typeof(IIncomingGrainCallFilter) || d.ServiceType == typeof(IOutgoingGrainCallFilter));
        }

        // The switch is the SDK's own: anything but "true" leaves telemetry, and the filters, on.
        var enabled = CreateBuilder(enableDistributedTracing: null, sdkDisabled: "false");
        enabled.UseOrleansClient(builder => builder.AddGrainClientObservability());
        Assert.Single(enabled.Services, d => d.ServiceType == typeof(IOutgoingGrainCallFilter));
    }

    private static HostApplicationBuilder CreateBuilder(string? enableDistributedTracing, string? sdkDisabled = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (enableDistributedTracing is not null)
        {
            builder.Configuration.AddInMemoryCollection([new(TelemetrySwitches.EnableDistributedTracingKey, enableDistributedTracing)]);
        }

        if (sdkDisabled is not null)
        {
            builder.Configuration.AddInMemoryCollection([new(TelemetrySwitches.SdkDisabledKey, sdkDisabled)]);
        }

        return builder;
    }

    /// <summary>Orleans' filter when its configuration turned propagation on, the project's otherwise; never both.</summary>
    private static void AssertOnce(IServiceCollection services, string? enableDistributedTracing, string ours, string orleans)
    {
        var orleansOwn = enableDistributedTracing == "true";
        Assert.Equal(orleansOwn ? 0 : 1, Count(services, ours));
        Assert.Equal(orleansOwn ? 1 : 0, Count(services, orleans));
    }

    private static int Count(IServiceCollection services, string implementationTypeName) =>
        services.Count(d => d.ImplementationType?.Name == implementationTypeName);
}
