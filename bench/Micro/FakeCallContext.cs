using System.Reflection;
using Orleans.Serialization.Invocation;

namespace Observability.Bench.Micro;

/// <summary>
/// A grain call with the interface and method names the Orleans code generator would give
/// <c>IUserGrain.GetProfileAsync</c>: what the filters see, without the rest of Orleans. It completes at once, or, with
/// <paramref name="pending"/>, only when <see cref="Complete"/> is called, as a remote call completes when its response
/// arrives. Other interface and method names stand for other grain methods.
/// </summary>
internal sealed class FakeCallContext(
    bool fail = false,
    bool pending = false,
    string interfaceName = "Observability.Grains.Interfaces.IUserGrain",
    string methodName = "GetProfileAsync") : IIncomingGrainCallContext, IOutgoingGrainCallContext
{
    private static readonly Task Failed = Task.FromException(new InvalidOperationException("simulated"));
    private TaskCompletionSource? _response;

    public IInvokable Request { get; } = new FakeInvokable();

    public object Grain => this;

    public GrainId? SourceId => null;

    public GrainId TargetId => default;

    public GrainInterfaceType InterfaceType => default;

    public string InterfaceName => interfaceName;

    public string MethodName => methodName;

    public MethodInfo InterfaceMethod => throw new NotSupportedException();

    public object? Result { get; set; }

    public Response? Response { get; set; }

    public IGrainContext TargetContext => throw new NotSupportedException();

    public MethodInfo ImplementationMethod => throw new NotSupportedException();

    public IGrainContext? SourceContext => null;

    public Task Invoke()
    {
        if (!pending)
        {
            return fail ? Failed : Task.CompletedTask;
        }

        _response = new TaskCompletionSource();
        return _response.Task;
    }

    /// <summary>The response arrives: the pending call completes, and its continuations run on this thread.</summary>
    public void Complete() => _response!.SetResult();

    private sealed class FakeInvokable : IInvokable
    {
        public object? GetTarget() => null;

        public void SetTarget(ITargetHolder holder)
        {
        }

        public ValueTask<Response> Invoke() => throw new NotSupportedException();

        public int GetArgumentCount() => 0;

        public object? GetArgument(int index) => null;

        public void SetArgument(int index, object value)
        {
        }

        public string GetMethodName() => "GetProfileAsync";

        public string GetInterfaceName() => "Observability.Grains.Interfaces.IUserGrain";

        public string GetActivityName() => "IUserGrain/GetProfileAsync";

        public MethodInfo GetMethod() => throw new NotSupportedException();

        public Type GetInterfaceType() => typeof(Grains.Interfaces.IUserGrain);

        public void Dispose()
        {
        }
    }
}
