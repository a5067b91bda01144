using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Observability.ServiceDefaults.Tracing;
using OpenTelemetry.Trace;
using Orleans.Serialization;

namespace Observability.Tests.Api;

/// <summary>The pieces of the inbound trace context rule: whom it trusts, what its sampler decides, what it costs a call.</summary>
public sealed class InboundTrustTests
{
    private const string HttpRequestIn = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    public static TheoryData<string, string?, bool> Callers => new()
    {
        { "networks=10.0.0.0/8", "10.1.2.3", true },
        { "networks=10.0.0.0/8", "::ffff:10.1.2.3", true },
        { "networks=10.0.0.0/8", "11.0.0.1", false },
        { "networks=fd00::/8", "fd12::1", true },
        { "proxies=192.168.1.10", "192.168.1.10", true },
        { "proxies=192.168.1.10", "::ffff:192.168.1.10", true },
        { "proxies=192.168.1.10", "192.168.1.11", false },
        { "proxies=192.168.1.10", null, false },
        { "none", "127.0.0.1", false },
        { "all", "203.0.113.7", true },
        { "all", null, true },
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public void A_caller_is_trusted_only_from_a_known_network_or_proxy_or_where_all_are(string setting, string? address, bool trusted)
    {
        var options = new InboundTraceContextOptions { TrustAll = setting == "all" };
        if (setting.StartsWith("networks=", StringComparison.Ordinal))
        {
            options.KnownNetworks.Add(setting["networks=".Length..]);
        }
        else if (setting.StartsWith("proxies=", StringComparison.Ordinal))
        {
            options.KnownProxies.Add(setting["proxies=".Length..]);
        }

        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = address is null ? null : IPAddress.Parse(address);

        Assert.Equal(trusted, new InboundTrust(options, accessor: null).IsTrusted(context));
    }

    [Fact]
    public void Settings_that_name_no_network_or_address_are_refused_with_the_setting_named()
    {
        var options = new InboundTraceContextOptions();
        options.KnownNetworks.Add("10.0.0.0/33");
        options.KnownProxies.Add("gateway.internal");

        var errors = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));

        Assert.Collection(
            errors,
            e => Assert.Contains("InboundTraceContext:KnownNetworks has '10.0.0.0/33'", e.ErrorMessage, StringComparison.Ordinal),
            e => Assert.Contains("InboundTraceContext:KnownProxies has 'gateway.internal'", e.ErrorMessage, StringComparison.Ordinal));
    }

    [Fact]
    public void A_trusted_sampled_flag_gets_the_decision_of_a_new_trace_and_an_unsampled_one_is_kept()
    {
        var ratio = new ParentBasedSampler(new TraceIdRatioBasedSampler(0.1));
        var inbound = new InboundSampler(ratio);

        var recorded = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var traceId = ActivityTraceId.CreateRandom();
            var sampledParent = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
            var unsampledParent = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, isRemote: true);

            var decision = inbound.ShouldSample(Request(sampledParent, traceId)).Decision;
            Assert.Equal(ratio.ShouldSample(Request(default, traceId)).Decision, decision);
            Assert.Equal(SamplingDecision.Drop, inbound.ShouldSample(Request(unsampledParent, traceId)).Decision);
            recorded += decision == SamplingDecision.RecordAndSample ? 1 : 0;
        }

        // The decisions above are the ratio sampler's own; this only shows the ratio is not 0 or 1.
        Assert.InRange(recorded, 100, 400);
    }

    [Fact]
    public void Spans_other_than_the_inbound_request_follow_their_parent()
    {
        var inbound = new InboundSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(0.0)));
        var traceId = ActivityTraceId.CreateRandom();
        var parent = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);

        var grainCall = inbound.ShouldSample(new SamplingParameters(parent, traceId, "IUserGrain/GetAsync", ActivityKind.Server));

        Assert.Equal(SamplingDecision.RecordAndSample, grainCall.Decision);
    }

    /// <summary>
    /// What the trace context adds to a grain call's serialized <see cref="RequestContext"/>, at most: the figures of
    /// docs/telemetry.md ("Trust and exposure").
    /// </summary>
    [Theory]
    [InlineData("traceparent", 0, 0, 80)]
    [InlineData("traceparent and a 512-character tracestate", 512, 0, 620)]
    [InlineData("traceparent, tracestate and 8,192 characters of baggage", 512, 8_192, 8_830)]
    public void The_trace_context_adds_a_bounded_number_of_bytes_to_a_grain_call(string what, int traceState, int baggage, int atMost)
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var context = new Dictionary<string, object> { ["traceparent"] = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01" };
        if (traceState > 0)
        {
            context["tracestate"] = "v=" + new string('x', traceState - 2);
        }

        if (baggage > 0)
        {
            context["baggage"] = "k=" + new string('x', baggage - 2);
        }

        var bytes = serializer.SerializeToArray(context).Length - serializer.SerializeToArray(new Dictionary<string, object>()).Length;

        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {bytes} B");
        Assert.InRange(bytes, 1, atMost);
    }

    private static SamplingParameters Request(ActivityContext parent, ActivityTraceId traceId) =>
        new(parent, traceId, HttpRequestIn, ActivityKind.Server);
}
