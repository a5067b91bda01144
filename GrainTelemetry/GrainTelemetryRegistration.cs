using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Observability.GrainTelemetry.Streams;
using Orleans.Serialization.Configuration;

namespace Observability.GrainTelemetry;

/// <summary>
/// The one decision of which grain-call filters a silo or a client gets, and their registration. A side gets at most
/// one filter per direction of a call, and none where it would only pass calls on: every filter is one more
/// asynchronous stage of Orleans' call chain.
/// </summary>
internal static class GrainTelemetryRegistration
{
    /// <summary>The standard variable that turns the OpenTelemetry SDK off, read from configuration as the SDK reads it.</summary>
    public const string SdkDisabledKey = "OTEL_SDK_DISABLED";

    /// <summary>The key with which Orleans adds its own activity propagation (Aspire's Orleans integration sets it).</summary>
    public const string EnableDistributedTracingKey = "Orleans:EnableDistributedTracing";

    public static void Register(IServiceCollection services, IConfiguration configuration, Action<GrainTelemetryOptions>? configure, bool isSilo)
    {
        if (services.Any(d => d.ServiceType == typeof(GrainTelemetryOptions)))
        {
            throw new InvalidOperationException(
                "AddGrainTelemetry was called twice on the same builder. Call it once, with every option in its configure delegate.");
        }

        var options = new GrainTelemetryOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);

        // With the SDK disabled nothing listens; with Orleans' own propagation on, its filters start the spans.
        var sdkDisabled = IsTrue(configuration, SdkDisabledKey);
        var tracing = options.EnableTracing && !sdkDisabled && !IsTrue(configuration, EnableDistributedTracingKey);
        var metrics = options.EnableMetrics && !sdkDisabled;
        if (!tracing && !metrics)
        {
            return;
        }

        services.TryAddSingleton(sp => new GrainMethods(sp.GetRequiredService<IOptions<TypeManifestOptions>>(), options));
        services.TryAddSingleton(DistributedContextPropagator.Current);
        if (metrics)
        {
            services.TryAddSingleton(sp => new GrainCallInstruments(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), options));
        }

        DistributedContextPropagator? Propagator(IServiceProvider sp) => tracing ? sp.GetRequiredService<DistributedContextPropagator>() : null;
        services.TryAddSingleton(sp => new StreamTelemetry(
            Propagator(sp), metrics ? sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>() : null, options));
        StreamProviderTelemetry.Decorate(services);
        if (isSilo)
        {
            services.AddSingleton<IIncomingGrainCallFilter>(sp => new IncomingGrainCallTelemetryFilter(
                sp.GetRequiredService<GrainMethods>(),
                Propagator(sp),
                metrics ? sp.GetRequiredService<GrainCallInstruments>().ServerDuration : null,
                options.RecordGrainIds,
                sp.GetRequiredService<StreamTelemetry>()));
        }

        // A silo's grains measure nothing on their outgoing calls (the callee's silo does); a client measures its own.
        if (tracing || !isSilo)
        {
            services.AddSingleton<IOutgoingGrainCallFilter>(sp => new OutgoingGrainCallTelemetryFilter(
                sp.GetRequiredService<GrainMethods>(),
                Propagator(sp),
                metrics && !isSilo ? sp.GetRequiredService<GrainCallInstruments>().ClientDuration : null,
                options.RecordGrainIds));
        }
    }

    private static bool IsTrue(IConfiguration configuration, string key) =>
        bool.TryParse(configuration[key], out var value) && value;
}
