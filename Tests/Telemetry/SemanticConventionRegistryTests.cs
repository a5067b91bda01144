namespace Observability.Tests.Telemetry;

/// <summary>
/// Pins how <see cref="SemanticConventionRegistry"/> reads @opentelemetry/semantic-conventions 1.45.0: which keys and
/// metrics it finds, which it takes as deprecated, and that enum values and templated keys are told apart from keys.
/// </summary>
public sealed class SemanticConventionRegistryTests
{
    private readonly SemanticConventionRegistry _registry = SemanticConventionRegistry.Load();

    [Fact]
    public void Every_attribute_and_metric_of_the_package_is_read()
    {
        // 126 stable + 875 incubating ATTR_ constants (44 of them templates), 53 stable + 511 incubating METRIC_ ones;
        // 237 and 96 of them carry @deprecated.
        Assert.Equal(1001, _registry.Attributes.Count);
        Assert.Equal(237, _registry.Attributes.Count(_registry.IsDeprecated));
        Assert.Equal(126, _registry.Attributes.Count(_registry.IsStable));
        Assert.Equal(564, _registry.Metrics.Count);
        Assert.Equal(96, _registry.Metrics.Count(_registry.IsDeprecatedMetric));
    }

    [Theory]
    [InlineData("rpc.method")]
    [InlineData("rpc.system.name")]
    [InlineData("error.type")]
    [InlineData("db.system.name")]
    [InlineData("db.query.summary")]
    [InlineData("http.route")]
    [InlineData("messaging.system.name")]
    [InlineData("exception.type")]
    [InlineData("url.path")]
    [InlineData("server.address")]
    [InlineData("otel.status_code")]
    public void A_current_key_is_known_and_not_deprecated(string key)
    {
        Assert.True(_registry.IsKnown(key));
        Assert.False(_registry.IsDeprecated(key));
        Assert.Null(_registry.DeprecationNote(key));
    }

    [Theory]
    [InlineData("rpc.service", "Value should be included in `rpc.method` which is expected to be a fully-qualified name.")]
    [InlineData("exception.escaped", "It's no longer recommended to record exceptions that are handled and do not escape the scope of a span.")]
    [InlineData("messaging.system", "Replaced by `messaging.system.name`.")]
    [InlineData("rpc.system", "Replaced by `rpc.system.name`.")]
    [InlineData("db.system", "Replaced by `db.system.name`.")]
    [InlineData("db.operation", "Replaced by `db.operation.name`.")]
    [InlineData("db.statement", "Replaced by `db.query.text`.")]
    [InlineData("http.method", "Replaced by `http.request.method`.")]
    public void A_deprecated_key_is_known_deprecated_with_its_note(string key, string note)
    {
        Assert.True(_registry.IsKnown(key));
        Assert.True(_registry.IsDeprecated(key));
        Assert.Equal(note, _registry.DeprecationNote(key));
    }

    [Fact]
    public void Stability_follows_the_file_a_key_is_declared_in()
    {
        Assert.True(_registry.IsStable("rpc.method"));
        Assert.True(_registry.IsStable("exception.escaped"));
        Assert.False(_registry.IsStable("messaging.system.name"));
        Assert.False(_registry.IsStable("rpc.service"));
    }

    [Fact]
    public void Enum_values_are_not_keys()
    {
        // HTTP_REQUEST_METHOD_VALUE_GET = "GET", RPC_SYSTEM_NAME_VALUE_GRPC = "grpc", ERROR_TYPE_VALUE_OTHER = "_OTHER".
        Assert.False(_registry.IsKnown("GET"));
        Assert.False(_registry.IsKnown("grpc"));
        Assert.False(_registry.IsKnown("_OTHER"));
        Assert.DoesNotContain(_registry.Attributes, key => key.Contains(' ', StringComparison.Ordinal) || key.Any(char.IsUpper));
        // An ATTR_ constant whose name ends in VALUE is a key all the same (ATTR_FEATURE_FLAG_RESULT_VALUE).
        Assert.True(_registry.IsKnown("feature_flag.result.value"));
    }

    [Fact]
    public void A_templated_key_matches_the_keys_under_its_prefix()
    {
        Assert.Contains("http.request.header.<key>", _registry.Attributes);
        Assert.True(_registry.IsKnown("http.request.header.content-type"));
        Assert.False(_registry.IsDeprecated("http.request.header.content-type"));
        Assert.True(_registry.IsKnown("rpc.response.trailer.grpc-status"));
        Assert.False(_registry.IsKnown("http.request.header."));
        Assert.False(_registry.IsKnown("http.request.header"));
        // A deprecated template deprecates every key under it.
        Assert.True(_registry.IsDeprecated("rpc.grpc.request.metadata.x-id"));
    }

    [Fact]
    public void Keys_outside_the_registry_are_unknown()
    {
        Assert.False(_registry.IsKnown("orleans.rpc.service"));
        Assert.False(_registry.IsDeprecated("orleans.rpc.service"));
        Assert.False(_registry.IsKnown("rpc"));
    }

    [Theory]
    [InlineData("rpc.server.call.duration")]
    [InlineData("rpc.client.call.duration")]
    [InlineData("db.client.operation.duration")]
    [InlineData("http.server.request.duration")]
    [InlineData("messaging.process.duration")]
    [InlineData("messaging.client.sent.messages")]
    [InlineData("messaging.client.operation.duration")]
    public void A_current_metric_is_known_and_not_deprecated(string name)
    {
        Assert.True(_registry.IsKnownMetric(name));
        Assert.False(_registry.IsDeprecatedMetric(name));
        Assert.Null(_registry.MetricDeprecationNote(name));
    }

    [Theory]
    [InlineData("rpc.server.duration", "Replaced by `rpc.server.call.duration` with unit `s`.")]
    [InlineData("rpc.client.duration", "Replaced by `rpc.client.call.duration` with unit `s`.")]
    [InlineData("messaging.publish.duration", "Replaced by `messaging.client.operation.duration`.")]
    public void A_deprecated_metric_is_known_deprecated_with_its_note(string name, string note)
    {
        Assert.True(_registry.IsKnownMetric(name));
        Assert.True(_registry.IsDeprecatedMetric(name));
        Assert.Equal(note, _registry.MetricDeprecationNote(name));
    }

    [Fact]
    public void Metric_names_and_attribute_keys_are_kept_apart()
    {
        Assert.False(_registry.IsKnownMetric("rpc.method"));
        Assert.False(_registry.IsKnown("rpc.server.call.duration"));
    }
}
