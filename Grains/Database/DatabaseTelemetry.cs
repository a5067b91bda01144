using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Observability.GrainTelemetry;

namespace Observability.Grains.Database;

/// <summary>
/// Telemetry of the simulated database, after the OpenTelemetry database conventions: one CLIENT span per
/// operation named <c>{operation} {collection}</c>, and the <c>db.client.operation.duration</c> histogram.
/// </summary>
public sealed class DatabaseTelemetry
{
    public const string SourceName = "OrleansObservability.Database";
    public const string MeterName = SourceName;
    public const string OperationDuration = "db.client.operation.duration";

    // Attribute keys of the OpenTelemetry database conventions.
    public const string DbSystemName = "db.system.name";
    public const string DbOperationName = "db.operation.name";
    public const string DbCollectionName = "db.collection.name";
    public const string DbQueryText = "db.query.text";
    public const string DbQuerySummary = "db.query.summary";
    public const string ErrorType = "error.type";

    /// <summary>The value of <c>db.system.name</c>: the conventions' name for a SQL database they do not list.</summary>
    public const string SystemName = "other_sql";

    private static readonly ActivitySource Source = new(SourceName);
    private static readonly ConcurrentDictionary<Type, string> ErrorTypes = new();

    private readonly ConcurrentDictionary<(string Operation, string Collection), Statement> _statements = new();
    private readonly Histogram<double> _duration;

    private readonly DistributedContextPropagator _propagator;

    public DatabaseTelemetry(IMeterFactory meterFactory, DistributedContextPropagator propagator)
    {
        _propagator = propagator;
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram(
            OperationDuration,
            unit: "s",
            description: "Duration of simulated database operations, including injected latency and failures.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GrainTelemetryOptions.DefaultDurationHistogramBoundaries });
    }

    public Activity? StartOperation(string operation, string collection)
    {
        var statement = _statements.GetOrAdd((operation, collection), static key => Statement.Create(key.Operation, key.Collection));
        // A grain's state read during activation runs with no current activity when the request is not sampled: the
        // request's context then comes from the RequestContext, so the span does not start a trace of its own.
        var activity = GrainTraceContext.StartActivity(Source, statement.SpanName, ActivityKind.Client, _propagator);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(DbSystemName, SystemName);
            activity.SetTag(DbOperationName, operation);
            activity.SetTag(DbCollectionName, collection);
            activity.SetTag(DbQuerySummary, statement.SpanName);
            activity.SetTag(DbQueryText, statement.QueryText);
        }

        return activity;
    }

    public void RecordOperation(string operation, string collection, long startTimestamp, Exception? error)
    {
        var duration = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        KeyValuePair<string, object?> system = new(DbSystemName, SystemName);
        KeyValuePair<string, object?> operationName = new(DbOperationName, operation);
        KeyValuePair<string, object?> collectionName = new(DbCollectionName, collection);
        if (error is null)
        {
            _duration.Record(duration, system, operationName, collectionName);
        }
        else
        {
            _duration.Record(duration, [system, operationName, collectionName, new(ErrorType, ErrorTypeOf(error))]);
        }
    }

    /// <summary>The <c>error.type</c> of a failed operation: the exception's full type name, cached (a set bounded by the code).</summary>
    public static string ErrorTypeOf(Exception exception) =>
        ErrorTypes.GetOrAdd(exception.GetType(), static type => type.FullName ?? type.Name);

    /// <summary>The parameterised statement for an operation: values are always parameters, never inlined.</summary>
    private sealed record Statement(string SpanName, string QueryText)
    {
        public static Statement Create(string operation, string collection) => new(
            $"{operation} {collection}",
            operation switch
            {
                DatabaseOperations.Select => $"SELECT state, etag FROM {collection} WHERE grain_id = @grain_id",
                DatabaseOperations.Upsert => $"UPSERT INTO {collection} (grain_id, state, etag) VALUES (@grain_id, @state, @etag)",
                DatabaseOperations.Delete => $"DELETE FROM {collection} WHERE grain_id = @grain_id AND etag = @etag",
                _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown database operation."),
            });
    }
}

/// <summary>The operations the simulated database performs (<c>db.operation.name</c>).</summary>
public static class DatabaseOperations
{
    public const string Select = "SELECT";
    public const string Upsert = "UPSERT";
    public const string Delete = "DELETE";
}
