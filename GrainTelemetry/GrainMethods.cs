using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Options;
using Orleans.Diagnostics;
using Orleans.Serialization.Configuration;

namespace Observability.GrainTelemetry;

/// <summary>What the library knows about one grain method, worked out once per method and then only read.</summary>
/// <param name="Source">The activity source Orleans files the method's spans under.</param>
/// <param name="RpcMethod">The <c>rpc.method</c> of its spans: <c>{interface}/{method}</c>, as Orleans sets it.</param>
/// <param name="MetricMethod">The <c>rpc.method</c> of its measurements: <paramref name="RpcMethod"/> or <c>_OTHER</c>.</param>
/// <param name="IsMeasured">An application grain's method, not excluded: its calls go into the histograms.</param>
/// <param name="IsTraced">Not excluded: its calls get spans.</param>
/// <param name="IsStreamDelivery">A pulling agent's delivery of stream events to a consumer grain.</param>
internal sealed record GrainMethod(ActivitySource Source, string RpcMethod, string MetricMethod, bool IsMeasured, bool IsTraced, bool IsStreamDelivery = false);

/// <summary>
/// Classifies grain calls the way Orleans' own activity propagation does, so that the library's spans go to the same
/// sources: Orleans' storage, lifecycle and runtime interfaces get theirs (the runtime rule is an interface namespace
/// starting with "Orleans"), everything else is the application's. Only application calls are measured, and only
/// interfaces Orleans generated proxies for are named on metrics: the series count is bounded by the code.
/// </summary>
internal sealed class GrainMethods(IOptions<TypeManifestOptions> manifest, GrainTelemetryOptions options)
{
    private static readonly string? OrleansVersion =
        typeof(ActivitySources).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    internal static readonly ActivitySource Application = new(ActivitySources.ApplicationGrainActivitySourceName, OrleansVersion);
    internal static readonly ActivitySource Runtime = new(ActivitySources.RuntimeActivitySourceName, OrleansVersion);
    internal static readonly ActivitySource Lifecycle = new(ActivitySources.LifecycleActivitySourceName, OrleansVersion);
    internal static readonly ActivitySource Storage = new(ActivitySources.StorageActivitySourceName, OrleansVersion);

    private readonly ConcurrentDictionary<Type, GrainMethod> _byRequestType = new();

    /// <summary>The method a call invokes (keyed by Orleans' generated request type, one per method).</summary>
    public GrainMethod Of(IGrainCallContext context) =>
        _byRequestType.GetOrAdd(context.Request.GetType(), static (_, state) => state.Self.Create(state.Context), (Self: this, Context: context));

    private GrainMethod Create(IGrainCallContext context)
    {
        var interfaceType = context.Request.GetInterfaceType();
        var definition = interfaceType.IsGenericType ? interfaceType.GetGenericTypeDefinition() : interfaceType;
        var source = SourceFor(interfaceType);
        var rpcMethod = $"{context.InterfaceName}/{context.MethodName}";
        var excluded = options.ExcludedGrainInterfaces.Contains(interfaceType) || options.ExcludedGrainInterfaces.Contains(definition);
        var generated = manifest.Value.Interfaces.Contains(definition) || manifest.Value.Interfaces.Contains(interfaceType);
        return new GrainMethod(
            source,
            rpcMethod,
            generated ? rpcMethod : GrainTelemetryNames.OtherMethod,
            IsMeasured: !excluded && ReferenceEquals(source, Application),
            IsTraced: !excluded,
            IsStreamDelivery: Streams.StreamDelivery.IsDelivery(interfaceType, context.MethodName));
    }

    private static ActivitySource SourceFor(Type interfaceType) => interfaceType.Name switch
    {
        "IMemoryStorageGrain" => Storage,
        "IGrainManagementExtension" or "IActivationMigrationManagerSystemTarget" => Lifecycle,
        "IAsyncEnumerableGrainExtension" => Application,
        _ when interfaceType.Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true => Runtime,
        _ => Application,
    };
}
