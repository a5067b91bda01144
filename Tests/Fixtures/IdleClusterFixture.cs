using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Observability.Tests.Fixtures;

/// <summary>
/// The production cluster shape, but with grains collected after two idle seconds, so that Orleans' own background
/// work (idle activation collection) happens within a test's time; it counts the stream pulling agents' polls of
/// their queues, the background work of streams.
/// </summary>
public sealed class IdleClusterFixture : ClusterFixtureBase
{
    public static readonly TimeSpan CollectionAge = TimeSpan.FromSeconds(2);

    private static long s_queuePolls;

    /// <summary>How many times the silos' pulling agents have read their memory stream queues so far.</summary>
    public static long QueuePolls => Interlocked.Read(ref s_queuePolls);

    protected override void ConfigureCluster(TestClusterBuilder builder) =>
        builder.AddSiloBuilderConfigurator<FastCollectionConfigurator>();

    private sealed class FastCollectionConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Configure<GrainCollectionOptions>(options =>
            {
                options.CollectionQuantum = TimeSpan.FromSeconds(1);
                options.CollectionAge = CollectionAge;
            });
            siloBuilder.Services.AddSingleton<IOutgoingGrainCallFilter, QueuePollCounter>();
        }
    }

    private sealed class QueuePollCounter : IOutgoingGrainCallFilter
    {
        public Task Invoke(IOutgoingGrainCallContext context)
        {
            if (context.InterfaceName.EndsWith("IMemoryStreamQueueGrain", StringComparison.Ordinal) && context.MethodName == "Dequeue")
            {
                Interlocked.Increment(ref s_queuePolls);
            }

            return context.Invoke();
        }
    }
}
