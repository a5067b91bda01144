using System.Diagnostics;

namespace Observability.Api.ErrorHandling;

internal static class ProblemDetailsTraceId
{
    public const string ExtensionName = "traceId";

    /// <summary>
    /// Puts the request's W3C trace id (32 hex digits, what Jaeger and the Aspire Dashboard search by) on every
    /// problem response, so a failed call can be looked up directly.
    /// </summary>
    public static void Add(ProblemDetailsContext context) =>
        context.ProblemDetails.Extensions[ExtensionName] = Activity.Current is { } activity
            ? activity.TraceId.ToHexString()
            : context.HttpContext.TraceIdentifier;
}
