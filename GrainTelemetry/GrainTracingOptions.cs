namespace Observability.GrainTelemetry;

/// <summary>
/// Which of Orleans' activity sources a tracer provider's <c>AddOrleansInstrumentation</c> collects besides the grain
/// calls' own (<c>Microsoft.Orleans.Application</c>), which it always collects.
/// </summary>
public sealed class GrainTracingOptions
{
    /// <summary>
    /// Orleans' activation spans inside requests (<c>Microsoft.Orleans.Lifecycle</c>: <c>place grain</c>,
    /// <c>activate grain</c>, <c>register directory entry</c>, <c>execute OnActivateAsync</c>, ...). Default
    /// <c>true</c>; off, a request that activates a grain records four spans fewer per activation.
    /// </summary>
    public bool IncludeLifecycle { get; set; } = true;

    /// <summary>
    /// Orleans' grain-storage spans inside requests (<c>Microsoft.Orleans.Storage</c>: <c>read storage</c>,
    /// <c>write storage</c>, <c>clear storage</c>). Default <c>true</c>; off, the storage provider's own spans (a
    /// database client's) are still recorded, as children of the grain call.
    /// </summary>
    public bool IncludeStorage { get; set; } = true;
}
