using System.Text.Json;
using System.Text.RegularExpressions;

namespace Observability.Tests.Telemetry;

/// <summary>
/// The OpenTelemetry semantic-conventions registry as npm's @opentelemetry/semantic-conventions 1.45.0 publishes it
/// (installed in Tests/node_modules by <c>npm ci --prefix Tests</c>): every attribute key and metric name, stable or
/// incubating, and which of them are deprecated.
/// </summary>
/// <remarks>
/// Read from the package's CommonJS modules, dist/{stable,experimental}_{attributes,metrics}.cjs, where each key is a
/// <c>const ATTR_…</c> (or <c>const METRIC_…</c>) under a JSDoc comment; an <c>@deprecated</c> tag there marks it
/// deprecated and says what replaces it. Enum values (<c>HTTP_REQUEST_METHOD_VALUE_GET = "GET"</c>) have no
/// <c>ATTR_</c> prefix and are not keys. Templated keys are functions, <c>(key) => `http.request.header.${key}`</c>
/// (the .d.cts typings have only <c>(key: string) => string</c>, hence the .cjs files); they are listed as the
/// registry writes them, <c>http.request.header.&lt;key&gt;</c>, and match any key under their prefix. The package's
/// older SEMATTRS_/SEMRESATTRS_ constants (dist/trace, dist/resource) are deprecated as JavaScript names, not as keys,
/// and are not read.
/// </remarks>
internal sealed partial class SemanticConventionRegistry
{
    public const string PackageVersion = "1.45.0";
    private const string Template = "<key>";
    private static readonly Lazy<SemanticConventionRegistry> Instance = new(Read);

    private readonly Dictionary<string, Convention> _attributes;
    private readonly Dictionary<string, Convention> _metrics;
    private readonly string[] _templatePrefixes;

    private SemanticConventionRegistry(Dictionary<string, Convention> attributes, Dictionary<string, Convention> metrics)
    {
        _attributes = attributes;
        _metrics = metrics;
        _templatePrefixes = [.. attributes.Keys.Where(key => key.EndsWith(Template, StringComparison.Ordinal)).Select(key => key[..^Template.Length])];
    }

    /// <summary>Attribute keys, templated ones spelled with <c>&lt;key&gt;</c> (e.g. <c>http.request.header.&lt;key&gt;</c>).</summary>
    public IReadOnlyCollection<string> Attributes => _attributes.Keys;

    public IReadOnlyCollection<string> Metrics => _metrics.Keys;

    /// <summary>The registry, read once per test run from Tests/node_modules.</summary>
    public static SemanticConventionRegistry Load() => Instance.Value;

    /// <summary>Whether <paramref name="key"/> is a registry attribute, or falls under a templated one (<c>http.request.header.content-type</c>).</summary>
    public bool IsKnown(string key) => Attribute(key) is not null;

    public bool IsDeprecated(string key) => Attribute(key)?.Deprecation is not null;

    /// <summary>The <c>@deprecated</c> text, e.g. "Replaced by `rpc.system.name`."; null when the key is current or unknown.</summary>
    public string? DeprecationNote(string key) => Attribute(key)?.Deprecation;

    /// <summary>Whether the key is in the package's stable set rather than its incubating (experimental) one.</summary>
    public bool IsStable(string key) => Attribute(key)?.Stable == true;

    public bool IsKnownMetric(string name) => _metrics.ContainsKey(name);

    public bool IsDeprecatedMetric(string name) => _metrics.GetValueOrDefault(name)?.Deprecation is not null;

    public string? MetricDeprecationNote(string name) => _metrics.GetValueOrDefault(name)?.Deprecation;

    private Convention? Attribute(string key)
    {
        if (_attributes.TryGetValue(key, out var convention))
        {
            return convention;
        }

        var prefix = _templatePrefixes.FirstOrDefault(prefix => key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.Ordinal));
        return prefix is null ? null : _attributes[prefix + Template];
    }

    private static SemanticConventionRegistry Read()
    {
        var package = Path.Combine(RepositoryRoot(), "Tests", "node_modules", "@opentelemetry", "semantic-conventions");
        var manifest = Path.Combine(package, "package.json");
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException(
                $"@opentelemetry/semantic-conventions is not installed ({manifest} is missing). Run `npm ci --prefix Tests` " +
                "in the repository root; `bash .ci/test` does it before the build.");
        }

        using (var json = JsonDocument.Parse(File.ReadAllText(manifest)))
        {
            var version = json.RootElement.GetProperty("version").GetString();
            if (version != PackageVersion)
            {
                throw new InvalidOperationException(
                    $"Tests/node_modules has @opentelemetry/semantic-conventions {version}, the tests pin {PackageVersion}. " +
                    "Run `npm ci --prefix Tests` in the repository root; `bash .ci/test` does it before the build.");
            }
        }

        var dist = Path.Combine(package, "dist");
        return new(Parse(dist, "attributes", "ATTR_"), Parse(dist, "metrics", "METRIC_"));
    }

    private static Dictionary<string, Convention> Parse(string dist, string kind, string constantPrefix)
    {
        var conventions = new Dictionary<string, Convention>(StringComparer.Ordinal);
        foreach (var stable in new[] { true, false })
        {
            var source = File.ReadAllText(Path.Combine(dist, $"{(stable ? "stable" : "experimental")}_{kind}.cjs"));
            foreach (Match match in Declaration().Matches(source))
            {
                if (match.Groups["name"].Value.StartsWith(constantPrefix, StringComparison.Ordinal))
                {
                    var key = match.Groups["key"].Success ? match.Groups["key"].Value : match.Groups["prefix"].Value + Template;
                    conventions.Add(key, new(stable, DeprecationIn(match.Groups["doc"].Value)));
                }
            }
        }

        return conventions;
    }

    // The text after the @deprecated tag, up to the next tag or the end of the comment, its lines' leading '*' dropped.
    private static string? DeprecationIn(string doc)
    {
        var tag = DeprecatedTag().Match(doc);
        if (!tag.Success)
        {
            return null;
        }

        var lines = doc[(tag.Index + tag.Length)..].Split('\n').Select(line => line.Trim().TrimStart('*').Trim());
        return string.Join(' ', lines.TakeWhile((line, i) => i == 0 || !line.StartsWith('@')).Where(line => line.Length > 0));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansObservability.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No directory above {AppContext.BaseDirectory} contains OrleansObservability.sln.");
    }

    // A JSDoc comment and the constant it documents: a plain key ("rpc.method") or a template ((key) => `prefix.${key}`).
    [GeneratedRegex(@"/\*\*(?<doc>(?:(?!\*/).)*)\*/\s*const (?<name>[A-Z0-9_]+) = (?:""(?<key>[^""]+)""|\(key\) => `(?<prefix>[^`$]+)\$\{key\}`);", RegexOptions.Singleline)]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^[\s*]*@deprecated\b", RegexOptions.Multiline)]
    private static partial Regex DeprecatedTag();

    private sealed record Convention(bool Stable, string? Deprecation);
}
