using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Observability.GrainTelemetry;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Observability.Tests.Telemetry;

/// <summary>
/// A silo runs the calls of an unsampled trace without an activity; the library's log processor gives their logs the
/// trace context from the call's <see cref="RequestContext"/>, ahead of the exporters.
/// </summary>
public sealed class GrainTraceContextLogTests
{
    [Fact]
    public void A_log_written_in_an_unsampled_grain_call_carries_the_callers_trace()
    {
        var caller = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);

        var record = LogWithin(requestContext: $"00-{caller.TraceId}-{caller.SpanId}-00", activity: null);

        Assert.Equal(caller.TraceId, record.TraceId);
        Assert.Equal(caller.SpanId, record.SpanId);
        Assert.Equal(ActivityTraceFlags.None, record.TraceFlags);
    }

    [Fact]
    public void A_log_written_under_a_current_activity_keeps_that_activitys_ids()
    {
        using var activity = new Activity("recorded call").SetIdFormat(ActivityIdFormat.W3C).Start();

        var record = LogWithin(requestContext: $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01", activity);

        Assert.Equal(activity.TraceId, record.TraceId);
        Assert.Equal(activity.SpanId, record.SpanId);
    }

    [Fact]
    public void A_log_written_outside_any_call_gets_no_trace_id()
    {
        var record = LogWithin(requestContext: null, activity: null);

        Assert.Equal(default, record.TraceId);
    }

    private static Captured LogWithin(string? requestContext, Activity? activity)
    {
        var captured = new List<Captured>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOpenTelemetry().WithLogging(logging => logging
            .AddOrleansInstrumentation()
            .AddProcessor(new Capture(captured)));
        using var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("grain");

        var previous = Activity.Current;
        Activity.Current = activity;
        if (requestContext is not null)
        {
            RequestContext.Set("traceparent", requestContext);
        }

        try
        {
            logger.LogInformation("Inside the call.");
        }
        finally
        {
            RequestContext.Clear();
            Activity.Current = previous;
        }

        return Assert.Single(captured);
    }

    private sealed record Captured(ActivityTraceId TraceId, ActivitySpanId SpanId, ActivityTraceFlags TraceFlags);

    /// <summary>What an exporter added after the library's processor would see.</summary>
    private sealed class Capture(List<Captured> sink) : BaseProcessor<LogRecord>
    {
        public override void OnEnd(LogRecord data) => sink.Add(new Captured(data.TraceId, data.SpanId, data.TraceFlags));
    }
}
