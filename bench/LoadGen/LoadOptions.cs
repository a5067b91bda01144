using System.Globalization;
using System.Text;

namespace Observability.LoadGen;

/// <summary>
/// The tool's settings. Each comes from its command-line option or, when the option is absent, from the environment
/// variable of the same name in upper case (<c>--rate-per-second</c> and <c>RATE_PER_SECOND</c>), as a container
/// passes its settings.
/// </summary>
internal sealed record LoadOptions
{
    /// <summary>Seconds of traffic the limiter's bucket holds by default: the burst after a pause.</summary>
    private const double DefaultBurstSeconds = 0.1;

    public required Uri ApiUrl { get; init; }

    public required Uri HealthUrl { get; init; }

    public required TimeSpan ReadyTimeout { get; init; }

    public required double RatePerSecond { get; init; }

    public required int Burst { get; init; }

    /// <summary>How long to send requests; null runs until stopped.</summary>
    public required TimeSpan? Duration { get; init; }

    public required int Concurrency { get; init; }

    public required int Users { get; init; }

    public required string UserPrefix { get; init; }

    public required TimeSpan RequestTimeout { get; init; }

    /// <summary>Null: every second on a terminal, every ten seconds when the output is redirected.</summary>
    public required TimeSpan? ProgressInterval { get; init; }

    public required string? SummaryJson { get; init; }

    public required long MaxUnexpected { get; init; }

    private static readonly OptionSpec[] Specs =
    [
        new("api-url", "URL", "http://127.0.0.1:5080", "The API's public base URL."),
        new("api-health-url", "URL", "http://127.0.0.1:5081/health/ready",
            "The API's readiness URL, on its management port: the run starts once it answers 2xx."),
        new("ready-timeout", "DURATION", "2m", "How long to wait for readiness before giving up (exit code 2)."),
        new("rate-per-second", "NUMBER", "20", "Target request rate, held by a token bucket."),
        new("burst", "N", "rate x 0.1 s, at least 1",
            "Requests the bucket holds: the most sent at once after a pause. Never more than rate x time + burst are sent."),
        new("duration", "DURATION", "until stopped", "How long to send requests."),
        new("concurrency", "N", "64", "Requests in flight at most; at the cap the rate falls rather than queueing."),
        new("users", "N", "200", "Users the traffic spreads over: <user-prefix>0 ... <user-prefix>(N-1)."),
        new("user-prefix", "TEXT", "user-", "Prefix of the user ids (letters, digits, '-', '_')."),
        new("request-timeout", "DURATION", "10s", "A request without an answer by then is a transport error."),
        new("progress-interval", "DURATION", "1s on a terminal, 10s otherwise", "How often the progress line is written."),
        new("summary-json", "PATH", "none", "Also write the final summary as JSON to this file."),
        new("max-unexpected", "N", "0", "Unexpected outcomes tolerated before the exit code is 1."),
    ];

    /// <summary>Reads the options from <paramref name="args"/> and then <paramref name="environment"/>; throws <see cref="UsageException"/>.</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"Unexpected argument '{arg}'.");
            }

            var (name, value) = arg.IndexOf('=', StringComparison.Ordinal) is var equals and > 0
                ? (arg[2..equals], arg[(equals + 1)..])
                : (arg[2..], i + 1 < args.Count ? args[++i] : throw new UsageException($"--{arg[2..]} needs a value."));
            if (!Specs.Any(s => s.Name == name))
            {
                throw new UsageException($"Unknown option --{name}.");
            }

            given[name] = value;
        }

        string? Raw(string name) => given.TryGetValue(name, out var value) ? value : NullIfEmpty(environment(OptionSpec.EnvironmentName(name)));

        var rate = Number("rate-per-second", Raw("rate-per-second"), 20.0, double.Parse);
        if (rate <= 0 || double.IsNaN(rate) || double.IsInfinity(rate))
        {
            throw new UsageException("--rate-per-second must be a positive number.");
        }

        var prefix = Raw("user-prefix") ?? "user-";
        if (prefix.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_'))
        {
            throw new UsageException("--user-prefix may hold only letters, digits, '-' and '_'.");
        }

        return new LoadOptions
        {
            ApiUrl = Url("api-url", Raw("api-url") ?? "http://127.0.0.1:5080"),
            HealthUrl = Url("api-health-url", Raw("api-health-url") ?? "http://127.0.0.1:5081/health/ready"),
            ReadyTimeout = Time("ready-timeout", Raw("ready-timeout") ?? "2m"),
            RatePerSecond = rate,
            Burst = Positive("burst", Raw("burst"), (int)Math.Max(1, Math.Ceiling(rate * DefaultBurstSeconds))),
            Duration = Raw("duration") is { } duration ? Time("duration", duration) : null,
            Concurrency = Positive("concurrency", Raw("concurrency"), 64),
            Users = Positive("users", Raw("users"), 200),
            UserPrefix = prefix,
            RequestTimeout = Time("request-timeout", Raw("request-timeout") ?? "10s"),
            ProgressInterval = Raw("progress-interval") is { } interval ? Time("progress-interval", interval) : null,
            SummaryJson = Raw("summary-json"),
            MaxUnexpected = Number("max-unexpected", Raw("max-unexpected"), 0L, long.Parse) is >= 0 and var max
                ? max
                : throw new UsageException("--max-unexpected must be 0 or more."),
        };
    }

    public static string Help()
    {
        var text = new StringBuilder();
        text.AppendLine("""
            OrleansObservability.LoadGen: realistic traffic for the API at a target rate.

            Waits until the API is ready, then sends the mix of every ten requests: 1 profile update (PUT /api/users/{id}),
            3 order placements (POST /api/users/{id}/orders with an Idempotency-Key; the first order placed and every
            fifth after it is sent again with the same key and body, which must answer 200 with the same order),
            3 order lists, 2 profile reads, and 1 bad request (an invalid user id, which must answer 400). Reads and
            placements for a user nobody created yet answer 404, which is expected too.

            Usage: dotnet OrleansObservability.LoadGen.dll [--option value | --option=value]...

            Options (each also read from the environment variable named in brackets, the command line winning):
            """);
        foreach (var spec in Specs)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  --{spec.Name} {spec.Value}  [{OptionSpec.EnvironmentName(spec.Name)}]");
            text.AppendLine(CultureInfo.InvariantCulture, $"      {spec.Description} Default: {spec.Default}.");
        }

        text.AppendLine("""

            A DURATION is seconds ("90"), a number with a unit ("500ms", "30s", "5m", "1h") or hh:mm:ss.
            Ctrl+C or SIGTERM stops the run; the summary is still written (a second Ctrl+C quits at once).

            Outcomes: expected answers (2xx, 404 for unknown users, 400 for the bad requests) and unexpected ones:
            5xx, transport errors (no answer, timeout), and any other answer (e.g. a retry that did not replay its order).
            Exit code: 0; 1 when the unexpected outcomes exceed --max-unexpected; 2 for a usage error or an API that was
            never ready.
            """);
        return text.ToString();
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static Uri Url(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new UsageException($"--{name} must be an http(s) URL, not '{value}'.");

    private static T Number<T>(string name, string? value, T fallback, Func<string, IFormatProvider, T> parse)
    {
        if (value is null)
        {
            return fallback;
        }

        try
        {
            return parse(value, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new UsageException($"--{name} must be a number, not '{value}'.");
        }
    }

    private static int Positive(string name, string? value, int fallback) =>
        Number(name, value, fallback, int.Parse) is > 0 and var number ? number : throw new UsageException($"--{name} must be 1 or more.");

    /// <summary>Parses "90" (seconds), "500ms", "30s", "5m", "1h" or a TimeSpan ("00:01:30"); positive only.</summary>
    internal static TimeSpan Time(string name, string value)
    {
        var text = value.Trim();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        TimeSpan? parsed = null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            parsed = TimeSpan.FromSeconds(seconds);
        }
        else if (units.FirstOrDefault(u => text.EndsWith(u.Suffix, StringComparison.OrdinalIgnoreCase)
                     && double.TryParse(text[..^u.Suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) is { Suffix: not null } unit)
        {
            parsed = TimeSpan.FromSeconds(double.Parse(text[..^unit.Suffix.Length], CultureInfo.InvariantCulture) * unit.Seconds);
        }
        else if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
        {
            parsed = span;
        }

        return parsed is { } time && time > TimeSpan.Zero
            ? time
            : throw new UsageException($"--{name} must be a positive duration (\"90\", \"30s\", \"5m\", \"00:01:30\"), not '{value}'.");
    }

    private sealed record OptionSpec(string Name, string Value, string Default, string Description)
    {
        public static string EnvironmentName(string name) => name.ToUpperInvariant().Replace('-', '_');
    }
}

/// <summary>A wrong command line or environment setting: the message says which.</summary>
internal sealed class UsageException(string message) : Exception(message);
