using System.Collections.Concurrent;

namespace Observability.ServiceDefaults.Telemetry;

/// <summary>
/// The <c>error.type</c> value for an exception: its full type name, a bounded set (one per exception type in the
/// code), cached so that recording a failure does not allocate a new string each time.
/// </summary>
public static class ErrorTypes
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    public static string Of(Exception exception) =>
        Names.GetOrAdd(exception.GetType(), static type => type.FullName ?? type.Name);
}
