using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Observability.Api.Orleans;
using Observability.Grains;
using Observability.ServiceDefaults.Telemetry;

namespace Observability.Tests.Telemetry;

/// <summary>
/// Trace propagation must be on exactly once, whether Orleans' configuration already turned it on (as Aspire does
/// with Orleans__EnableDistributedTracing=true) or not: twice would start every grain span twice.
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

        Assert.Equal(1, Count(builder.Services, "ActivityPropagationIncomingGrainCallFilter"));
        Assert.Equal(1, Count(builder.Services, "ActivityPropagationOutgoingGrainCallFilter"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    public void The_client_registers_the_propagation_filter_once(string? enableDistributedTracing)
    {
        var builder = CreateBuilder(enableDistributedTracing);

        builder.UseOrleansClient(client => client.AddGrainClientObservability());

        Assert.Equal(1, Count(builder.Services, "ActivityPropagationOutgoingGrainCallFilter"));
    }

    private static HostApplicationBuilder CreateBuilder(string? enableDistributedTracing)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (enableDistributedTracing is not null)
        {
            builder.Configuration.AddInMemoryCollection([new(OrleansTracing.EnableDistributedTracingKey, enableDistributedTracing)]);
        }

        return builder;
    }

    private static int Count(IServiceCollection services, string implementationTypeName) =>
        services.Count(d => d.ImplementationType?.Name == implementationTypeName);
}
