using System.Diagnostics;
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

    /// <summary>
    /// Marks a recorded span as failed the way the conventions ask: status Error with the message, <c>error.type</c>,
    /// and the exception as an event with its stack.
    /// </summary>
    public static void RecordOn(Activity activity, Exception error)
    {
        if (!activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.SetTag(SemanticConventions.ErrorType, Of(error));
        activity.AddException(error);
    }
}
