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

    // The messaging conventions, for Orleans streams: the namespace is the destination, the consumer grain type the
    // consumer group (each implicitly subscribed grain type gets every event once).
    public const string MessagingSystemName = "messaging.system.name";
    public const string MessagingSystemOrleans = "orleans";
    public const string MessagingDestinationName = "messaging.destination.name";
    public const string MessagingOperationType = "messaging.operation.type";
    public const string MessagingOperationName = "messaging.operation.name";
    public const string MessagingConsumerGroupName = "messaging.consumer.group.name";
    public const string MessagingMessageId = "messaging.message.id";
    public const string MessagingBatchMessageCount = "messaging.batch.message_count";
    public const string OperationSend = "send";
    public const string OperationProcess = "process";

    public const string OrleansStreamProvider = "orleans.stream.provider";
    public const string OrleansStreamKey = "orleans.stream.key";
}
