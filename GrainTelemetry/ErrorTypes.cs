using System.Collections.Concurrent;

namespace Observability.GrainTelemetry;

/// <summary>
/// The <c>error.type</c> of an exception: its full type name, a set bounded by the code, cached so that recording a
/// failure allocates no string.
/// </summary>
internal static class ErrorTypes
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    public static string Of(Exception exception) =>
        Names.GetOrAdd(exception.GetType(), static type => type.FullName ?? type.Name);
}
