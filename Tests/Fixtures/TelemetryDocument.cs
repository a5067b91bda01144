using System.Globalization;
using System.Text.RegularExpressions;

namespace Observability.Tests.Fixtures;

/// <summary>
/// docs/telemetry.md read as data: its span tables, its metric tables, its attribute lists and its bucket boundaries,
/// so that the tests compare what the service emits with what the document promises, cell by cell.
/// </summary>
public static partial class TelemetryDocument
{
    private static readonly Lazy<string> Content = new(() =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "telemetry.md")));

    private static readonly Lazy<IReadOnlyList<Table>> AllTables = new(() => ParseTables(Content.Value));

    private static readonly Lazy<IReadOnlyDictionary<string, string>> AllSpanNames = new(() =>
        Tables.Where(t => t.Header[0] == "Span name")
            .SelectMany(t => t.Rows.SelectMany(row => CodeSpans(row[0]).Select(name => (name, t.Heading))))
            .ToDictionary(s => s.name, s => s.Heading, StringComparer.Ordinal));

    private static readonly Lazy<IReadOnlyList<ProjectMetric>> AllProjectMetrics = new(ParseProjectMetrics);

    private static readonly Lazy<IReadOnlyList<(string PrometheusName, string From)>> AllBuiltInMetrics = new(() =>
        [.. TableUnder("Built-in metrics relied on").Rows.SelectMany(row => CodeSpans(row[0]).Select(name => (name, row[1])))]);

    public static string Text => Content.Value;

    /// <summary>Every table of the document, with the heading it sits under.</summary>
    public static IReadOnlyList<Table> Tables => AllTables.Value;

    /// <summary>
    /// Every span name of a table whose first column is "Span name", mapped to the heading of its section: the spans
    /// the document promises, and the only names an exported span may have.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SpanNames => AllSpanNames.Value;

    /// <summary>The rows of the "Project metrics" table; a row whose attributes read "same" has those of the row above.</summary>
    public static IReadOnlyList<ProjectMetric> ProjectMetrics => AllProjectMetrics.Value;

    /// <summary>The Prometheus names of the "Built-in metrics relied on" table, with the meter the row names.</summary>
    public static IReadOnlyList<(string PrometheusName, string From)> BuiltInMetrics => AllBuiltInMetrics.Value;

    /// <summary>
    /// The attribute keys of the paragraph starting "Attributes" under <paramref name="heading"/>: those before its
    /// "On failure" sentence, which spans carry, and those after it, which failed spans (and their events) add.
    /// </summary>
    public static (IReadOnlyList<string> Always, IReadOnlyList<string> OnFailure) AttributesUnder(string heading)
    {
        var section = Section(heading);
        var start = section.IndexOf("\nAttributes", StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"docs/telemetry.md has no \"Attributes\" paragraph under \"{heading}\".");
        }

        var paragraph = section[(start + 1)..].Split("\n\n")[0];
        var failure = paragraph.IndexOf("n failure", StringComparison.Ordinal);
        if (failure < 0)
        {
            throw new InvalidOperationException($"docs/telemetry.md, \"{heading}\": the attributes paragraph says nothing of failure.");
        }

        return (Keys(paragraph[..failure]), Keys(paragraph[failure..]));

        static List<string> Keys(string markdown) => [.. CodeSpans(markdown).Where(token => AttributeKey().IsMatch(token)).Distinct()];
    }

    /// <summary>
    /// The first list of bucket boundaries the document gives after <paramref name="marker"/> ("0.0005, 0.001, …, 10 s").
    /// </summary>
    public static IReadOnlyList<double> BoundariesAfter(string marker)
    {
        var at = Text.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"docs/telemetry.md does not contain \"{marker}\".");
        }

        var list = BoundaryList().Match(Text, at);
        if (!list.Success)
        {
            throw new InvalidOperationException($"docs/telemetry.md lists no boundaries after \"{marker}\".");
        }

        return [.. list.Groups["list"].Value.Split(',').Select(v => double.Parse(v.Trim(), CultureInfo.InvariantCulture))];
    }

    /// <summary>The text from the heading <paramref name="heading"/> to the next heading of any level.</summary>
    public static string Section(string heading)
    {
        var match = Regex.Match(Text, $@"^#+ {Regex.Escape(heading)}[^\n]*\n", RegexOptions.Multiline);
        if (!match.Success)
        {
            throw new InvalidOperationException($"docs/telemetry.md has no heading \"{heading}\".");
        }

        var rest = Text[(match.Index + match.Length)..];
        var next = Regex.Match(rest, "^#", RegexOptions.Multiline);
        return next.Success ? rest[..next.Index] : rest;
    }

    /// <summary>The backtick-quoted tokens of a piece of Markdown.</summary>
    public static IReadOnlyList<string> CodeSpans(string markdown) => [.. CodeSpan().Matches(markdown).Select(m => m.Groups[1].Value)];

    private static List<ProjectMetric> ParseProjectMetrics()
    {
        var metrics = new List<ProjectMetric>();
        foreach (var row in TableUnder("Project metrics").Rows)
        {
            var attributes = row[4] == "same" ? metrics[^1].Attributes : CodeSpans(row[4]);
            metrics.Add(new ProjectMetric(CodeSpans(row[0]).Single(), CodeSpans(row[1]).Single(), row[2], CodeSpans(row[3]).Single(), attributes, row[5]));
        }

        return metrics;
    }

    private static Table TableUnder(string heading) =>
        Tables.SingleOrDefault(t => t.Heading.StartsWith(heading, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"docs/telemetry.md has no table under \"{heading}\".");

    private static List<Table> ParseTables(string text)
    {
        var tables = new List<Table>();
        var heading = "";
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#'))
            {
                heading = lines[i].TrimStart('#').Trim();
            }
            else if (lines[i].StartsWith('|') && i + 1 < lines.Length && lines[i + 1].StartsWith("| ---", StringComparison.Ordinal))
            {
                var header = Cells(lines[i]);
                var rows = new List<IReadOnlyList<string>>();
                for (i += 2; i < lines.Length && lines[i].StartsWith('|'); i++)
                {
                    var cells = Cells(lines[i]);
                    if (cells.Count != header.Count)
                    {
                        throw new InvalidOperationException($"docs/telemetry.md, table under \"{heading}\": row \"{lines[i]}\" has {cells.Count} cells, the header {header.Count}.");
                    }

                    rows.Add(cells);
                }

                tables.Add(new Table(heading, header, rows));
                i--;
            }
        }

        return tables;
    }

    private static List<string> Cells(string line) => [.. line.Trim().Trim('|').Split('|').Select(c => c.Trim())];

    public sealed record Table(string Heading, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

    /// <summary>A row of the project metrics table.</summary>
    public sealed record ProjectMetric(string Instrument, string PrometheusName, string Type, string Unit, IReadOnlyList<string> Attributes, string EmittedBy)
    {
        /// <summary>The attribute keys of the row (its values, such as <c>orleans</c>, left out).</summary>
        public IEnumerable<string> AttributeKeys => Attributes.Where(a => AttributeKey().IsMatch(a) && a.Contains('.', StringComparison.Ordinal));
    }

    [GeneratedRegex("`([^`\n]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]
    private static partial Regex AttributeKey();

    [GeneratedRegex(@"(?<list>\d[0-9.]*(, \d[0-9.]*)+)")]
    private static partial Regex BoundaryList();
}
