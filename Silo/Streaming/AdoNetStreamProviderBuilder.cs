using Microsoft.Extensions.Options;
using Observability.Silo.Streaming;
using Orleans.Configuration;
using Orleans.Providers;

// Microsoft.Orleans.Streaming.AdoNet registers no provider type for configuration, so the Orleans section could not
// name it; this makes Orleans__Streaming__{name}__ProviderType=AdoNet work like the built-in Memory.
[assembly: RegisterProvider("AdoNet", "Streaming", "Silo", typeof(AdoNetStreamProviderBuilder))]

namespace Observability.Silo.Streaming;

/// <summary>
/// Adds Orleans' AdoNet stream provider from its configuration section: <see cref="AdoNetStreamOptions"/>
/// (<c>ConnectionString</c>, <c>Invariant</c>, <c>MaxAttempts</c>, <c>VisibilityTimeout</c>, ...), the queue count
/// (<c>TotalQueueCount</c>, 1 by default) and the pulling agent's <see cref="StreamPullingAgentOptions"/>
/// (<c>GetQueueMsgsTimerPeriod</c>, ...), all under <c>Orleans:Streaming:{name}</c>. The database needs the
/// project's schema, deploy/postgres/orleans-streaming.sql.
/// </summary>
internal sealed class AdoNetStreamProviderBuilder : IProviderBuilder<ISiloBuilder>
{
    /// <summary>The ADO.NET provider the silo ships with, used when the section names none.</summary>
    public const string DefaultInvariant = "Npgsql";

    public void Configure(ISiloBuilder builder, string? name, IConfigurationSection configurationSection)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        builder.AddAdoNetStreams(name, configurator =>
        {
            configurator.ConfigureAdoNet(options => options
                .Configure(o => o.Invariant = DefaultInvariant)
                .Bind(configurationSection));
            configurator.Configure<HashRingStreamQueueMapperOptions>(options => options.Bind(configurationSection));
            configurator.Configure<StreamPullingAgentOptions>(options => options.Bind(configurationSection));
        });
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services =>
            new AdoNetStreamSchemaCheck(name, services.GetRequiredService<IOptionsMonitor<AdoNetStreamOptions>>()));
    }
}
