namespace Observability.GrainTelemetry;

/// <summary>
/// Attribute keys the library sets: the OpenTelemetry RPC and error conventions, and Orleans' own vendor attributes
/// under <c>orleans.*</c>, named as Orleans names them on its grain spans.
/// </summary>
internal static class SemanticConventions
{
    public const string ErrorType = "error.type";
    public const string RpcSystemName = "rpc.system.name";
    public const string RpcMethod = "rpc.method";
    public const string RpcSystemOrleans = "orleans";

    public const string OrleansRpcService = "orleans.rpc.service";
    public const string OrleansRpcTargetId = "orleans.rpc.target_id";
    public const string OrleansRpcSourceId = "orleans.rpc.source_id";
}
