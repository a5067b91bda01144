using System.Diagnostics;

namespace Observability.Api.Tracing;

internal static class TraceResponseHeader
{
    /// <summary>W3C Trace Context level 2 response header: <c>00-{trace-id}-{span-id}-{flags}</c>.</summary>
    public const string Name = "traceresponse";

    /// <summary>
    /// Tells every caller which trace its request became, so any response, not only an error, can be looked up in
    /// Jaeger or the Aspire Dashboard.
    /// </summary>
    public static WebApplication UseTraceResponseHeader(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (Activity.Current is { } activity)
            {
                // Set when the response starts: the exception handler clears headers set before it runs.
                context.Response.OnStarting(static state =>
                {
                    var (response, activity) = ((HttpResponse, Activity))state;
                    // A W3C activity's id is this very value, formatted once per activity (the grain call's propagation
                    // reads it too).
                    response.Headers[Name] = activity.IdFormat == ActivityIdFormat.W3C
                        ? activity.Id
                        : $"00-{activity.TraceId.ToHexString()}-{activity.SpanId.ToHexString()}-{(activity.Recorded ? "01" : "00")}";
                    return Task.CompletedTask;
                }, (context.Response, activity));
            }

            return next(context);
        });
        return app;
    }
}
