namespace Observability.ServiceDefaults.Telemetry;

/// <summary>OpenTelemetry semantic-convention attribute keys the project sets itself.</summary>
public static class SemanticConventions
{
    public const string ErrorType = "error.type";

    public const string RpcSystemName = "rpc.system.name";
    public const string RpcService = "rpc.service";
    public const string RpcMethod = "rpc.method";
    public const string RpcSystemOrleans = "orleans";

    public const string DbSystemName = "db.system.name";
    public const string DbNamespace = "db.namespace";
    public const string DbOperationName = "db.operation.name";
    public const string DbCollectionName = "db.collection.name";
    public const string DbQueryText = "db.query.text";
    public const string DbQuerySummary = "db.query.summary";
}
