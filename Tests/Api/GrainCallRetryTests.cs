using Observability.Api.Cluster;
using Orleans.Runtime.Messaging;

namespace Observability.Tests.Api;

/// <summary>The API's retry of grain calls the cluster rejected, with delays short enough to run them all.</summary>
public sealed class GrainCallRetryTests
{
    private static readonly TimeSpan[] ThreeShortDelays = [TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1)];

    [Fact]
    public async Task A_rejected_call_is_made_again_until_it_succeeds()
    {
        var attempts = 0;
        var result = await GrainCallRetry.IdempotentAsync(
            "state",
            state => ++attempts < 3 ? Task.FromException<string>(new ConnectionFailedException("silo gone")) : Task.FromResult(state + attempts),
            ThreeShortDelays,
            TestContext.Current.CancellationToken);

        Assert.Equal("state3", result);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task After_its_last_retry_the_rejection_reaches_the_caller()
    {
        var attempts = 0;
        var error = await Assert.ThrowsAsync<GatewayTooBusyException>(async () => await GrainCallRetry.IdempotentAsync(
            0,
            _ =>
            {
                attempts++;
                return Task.FromException<int>(new GatewayTooBusyException("busy"));
            },
            ThreeShortDelays,
            TestContext.Current.CancellationToken));

        Assert.Equal("busy", error.Message);
        Assert.Equal(1 + ThreeShortDelays.Length, attempts);
    }

    [Theory]
    [InlineData(typeof(TimeoutException))]
    [InlineData(typeof(OrleansException))]
    [InlineData(typeof(InvalidOperationException))]
    public async Task A_call_that_may_have_run_is_not_made_again(Type exceptionType)
    {
        var attempts = 0;
        await Assert.ThrowsAsync(exceptionType, async () => await GrainCallRetry.IdempotentAsync(
            exceptionType,
            type =>
            {
                attempts++;
                return Task.FromException<int>((Exception)Activator.CreateInstance(type, "failed")!);
            },
            ThreeShortDelays,
            TestContext.Current.CancellationToken));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_cancelled_request_stops_retrying()
    {
        using var cancellation = new CancellationTokenSource();
        var attempts = 0;
        await Assert.ThrowsAsync<ConnectionFailedException>(async () => await GrainCallRetry.IdempotentAsync(
            0,
            _ =>
            {
                attempts++;
                cancellation.Cancel();
                return Task.FromException<int>(new ConnectionFailedException("silo gone"));
            },
            ThreeShortDelays,
            cancellation.Token));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public void Only_the_exceptions_of_a_call_that_never_ran_count_as_rejections()
    {
        Assert.True(GrainCallRetry.IsRejection(new ConnectionFailedException("x")));
        Assert.True(GrainCallRetry.IsRejection(new GatewayTooBusyException("x")));
        Assert.False(GrainCallRetry.IsRejection(new TimeoutException("x")));
        Assert.False(GrainCallRetry.IsRejection(new OrleansException("x")));
    }
}
