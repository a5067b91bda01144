namespace Observability.ServiceDefaults.Telemetry;

/// <summary>OpenTelemetry semantic-convention attribute keys the project sets itself.</summary>
public static class SemanticConventions
{
    public const string ErrorType = "error.type";

    public const string RpcSystemName = "rpc.system.name";
    public const string RpcService = "rpc.service";
    public const string RpcMethod = "rpc.method";
    public const string RpcSystemOrleans = "orleans";

    // Grain span attributes, named as Orleans names them on the spans of its own propagation filters (its
    // ActivityTagKeys are internal; GrainCallTracingTests checks these against them).
    public const string OrleansRpcService = "orleans.rpc.service";
    public const string OrleansRpcTargetId = "orleans.rpc.target_id";
    public const string OrleansRpcSourceId = "orleans.rpc.source_id";
    public const string ExceptionType = "exception.type";
    public const string ExceptionMessage = "exception.message";
    public const string ExceptionStacktrace = "exception.stacktrace";
    public const string ExceptionEscaped = "exception.escaped";

    public const string DbSystemName = "db.system.name";
    public const string DbNamespace = "db.namespace";
    public const string DbOperationName = "db.operation.name";
    public const string DbCollectionName = "db.collection.name";
    public const string DbQueryText = "db.query.text";
    public const string DbQuerySummary = "db.query.summary";
}
