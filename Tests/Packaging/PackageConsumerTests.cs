using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace Observability.Tests.Packaging;

/// <summary>
/// The library as a user gets it: packed into a .nupkg and restored by a console app outside the repository, which
/// uses only the README's setup lines in a silo process and a client process, and must get grain spans with the right
/// parents across both, the rpc histograms per grain method on each side, and no trace of Orleans' background work.
/// </summary>
public sealed class PackageConsumerTests
{
    private const string PackageId = "OrleansObservability.GrainTelemetry";
    private const string ApplicationSource = "Microsoft.Orleans.Application";
    private const string RuntimeSource = "Microsoft.Orleans.Runtime";
    private const string RpcMeter = "OrleansObservability.Rpc";
    private const string RelayMethod = "Consumer.Grains.IGrainA/RelayAsync";
    private const string EchoMethod = "Consumer.Grains.IGrainB/EchoAsync";

    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SiloStartTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task The_packed_package_gives_a_user_parented_grain_spans_rpc_histograms_and_no_runtime_noise()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var dotnet = DotnetCli.Require();
        var repo = RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("graintelemetry-consumer-").FullName;
        try
        {
            Assert.False(
                Path.GetFullPath(work).StartsWith(repo + Path.DirectorySeparatorChar, StringComparison.Ordinal),
                $"The consumer's folder {work} is inside the repository {repo}: its Directory.*.props would apply.");

            var package = await PackAsync(dotnet, repo, Path.Combine(work, "feed"), cancellationToken);
            var app = await BuildConsumerAsync(dotnet, repo, work, package, cancellationToken);
            var output = await RunConsumerAsync(dotnet, work, app, cancellationToken);
            Log($"pack {package.Pack.Elapsed.TotalSeconds:F1} s, restore + build {app.Build.Elapsed.TotalSeconds:F1} s, " +
                $"client {output.ClientRun.Elapsed.TotalSeconds:F1} s, silo {output.SiloRun.Elapsed.TotalSeconds:F1} s");

            var report = Report(output);
            AssertOneParentedTrace(output, report);
            AssertNoRuntimeNoise(output, report);
            AssertRpcHistograms(output, report);
        }
        finally
        {
            DeleteQuietly(work);
        }
    }

    /// <summary>Packs the library from the build that ran before the tests, and checks what a user's package page shows.</summary>
    private static async Task<PackedPackage> PackAsync(string dotnet, string repo, string feed, CancellationToken cancellationToken)
    {
        var configuration = typeof(PackageConsumerTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var project = Path.Combine(repo, "GrainTelemetry", "GrainTelemetry.csproj");
        var notBuilt =
            $"The library is not built in {configuration}: build the solution first (`dotnet build OrleansObservability.sln`, " +
            $"or `dotnet build GrainTelemetry -c {configuration}`); the test packs it with --no-build.";
        var bin = Path.Combine(repo, "GrainTelemetry", "bin", configuration);
        Assert.True(Directory.Exists(bin) && Directory.EnumerateFiles(bin, PackageId + ".dll", SearchOption.AllDirectories).Any(), notBuilt);

        var pack = await DotnetCli.RunAsync(
            dotnet, repo, PackTimeout,
            ["pack", project, "-c", configuration, "--no-build", "--disable-build-servers", "-o", feed],
            cancellationToken);
        Assert.True(
            pack.Succeeded,
            $"Packing the library failed (with --no-build: where it names missing build outputs, build the solution first).\n{pack.Describe()}");

        var version = PropertyOf(Path.Combine(repo, "Directory.Build.props"), "Version");
        var nupkg = Path.Combine(feed, $"{PackageId}.{version}.nupkg");
        Assert.True(
            File.Exists(nupkg),
            $"No {Path.GetFileName(nupkg)} (the version Directory.Build.props sets) in the feed, which has: " +
            string.Join(", ", Directory.EnumerateFiles(feed).Select(Path.GetFileName)));

        using var archive = ZipFile.OpenRead(nupkg);
        var entries = archive.Entries.Select(e => e.FullName).ToList();
        var listing = "The package holds: " + string.Join(", ", entries);
        Assert.True(entries.Contains("README.md"), $"No README.md at the package root. {listing}");
        var dll = archive.Entries.SingleOrDefault(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.Name == PackageId + ".dll");
        Assert.True(dll is not null, $"No lib/<tfm>/{PackageId}.dll. {listing}");
        var docs = archive.Entries.SingleOrDefault(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.Name == PackageId + ".xml");
        Assert.True(docs is not null, $"No XML docs (lib/<tfm>/{PackageId}.xml) beside the assembly: IntelliSense shows users nothing. {listing}");
        var docsText = Read(docs);
        Assert.True(
            docsText.Contains("M:Observability.GrainTelemetry.GrainTelemetrySiloBuilderExtensions.AddGrainTelemetry", StringComparison.Ordinal),
            $"The XML docs do not document silo.AddGrainTelemetry():\n{docsText}");

        var nuspecEntry = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        var nuspecText = Read(nuspecEntry);
        var metadata = XDocument.Parse(nuspecText).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Meta(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        var license = metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "license");
        Assert.True(Meta("id") == PackageId && Meta("version") == version, $"Wrong id or version in the nuspec:\n{nuspecText}");
        Assert.True(
            license is not null && (string?)license.Attribute("type") == "expression" && !string.IsNullOrWhiteSpace(license.Value),
            $"The nuspec has no license expression:\n{nuspecText}");
        Assert.True(Meta("readme") == "README.md", $"The nuspec does not name README.md as the package's readme:\n{nuspecText}");

        return new PackedPackage(feed, version, Sha256(dll), pack);
    }

    /// <summary>Writes the consumer app beside the feed and restores and builds it as a user would, with nothing of the repository's.</summary>
    private static async Task<ConsumerApp> BuildConsumerAsync(string dotnet, string repo, string work, PackedPackage package, CancellationToken cancellationToken)
    {
        var app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repo, "Tests", "Packaging", "Consumer")))
        {
            File.Copy(file, Path.Combine(app, Path.GetFileName(file)));
        }

        // The fresh package comes only from the local feed (a package of that id on nuget.org is never taken), into a
        // packages folder of this run's own, so a copy some earlier restore left in a cache is never used. Everything
        // else the app needs is in the machine's global packages folder already, used as a read-only fallback.
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        new XDocument(
            new XElement("configuration",
                new XElement("packageSources",
                    new XElement("clear"),
                    Source("local", package.Feed),
                    Source("nuget.org", "https://api.nuget.org/v3/index.json")),
                new XElement("packageSourceMapping",
                    new XElement("packageSource", new XAttribute("key", "local"), new XElement("package", new XAttribute("pattern", PackageId))),
                    new XElement("packageSource", new XAttribute("key", "nuget.org"), new XElement("package", new XAttribute("pattern", "*")))),
                new XElement("fallbackPackageFolders",
                    new XElement("clear"),
                    Source("global", globalPackages))))
            .Save(Path.Combine(app, "nuget.config"));

        var packagesProps = Path.Combine(repo, "Directory.Packages.props");
        var packages = Path.Combine(work, "packages");
        var output = Path.Combine(app, "out");
        var build = await DotnetCli.RunAsync(
            dotnet, app, BuildTimeout,
            [
                "build", Path.Combine(app, "Consumer.csproj"), "--disable-build-servers", "-o", output,
                $"-p:GrainTelemetryVersion={package.Version}",
                $"-p:OrleansVersion={PropertyOf(packagesProps, "OrleansVersion")}",
                $"-p:OpenTelemetryVersion={PropertyOf(packagesProps, "OpenTelemetryVersion")}",
                $"-p:RestorePackagesPath={packages}",
            ],
            cancellationToken);
        Assert.True(build.Succeeded, $"The consumer app did not restore and build against the packed package.\n{build.Describe()}");

        var restored = Path.Combine(packages, PackageId.ToLowerInvariant(), package.Version);
        Assert.True(
            Directory.Exists(restored),
            $"Restore did not take {PackageId} {package.Version} from the local feed into {packages}: a copy in the fallback " +
            $"folder won, {Path.Combine(globalPackages, PackageId.ToLowerInvariant(), package.Version)}. Delete that stale copy.\n{build.Describe()}");
        var assembly = Path.Combine(output, PackageId + ".dll");
        Assert.True(
            File.Exists(assembly) && Sha256(assembly) == package.AssemblySha256,
            $"The app's {assembly} is not the assembly just packed.\n{build.Describe()}");

        return new ConsumerApp(Path.Combine(output, "Consumer.dll"), build);
    }

    /// <summary>
    /// Starts the silo process, runs the client process's request against it, then lets the silo go idle and stop: each
    /// process prints what its own providers exported.
    /// </summary>
    private static async Task<ConsumerOutput> RunConsumerAsync(string dotnet, string work, ConsumerApp app, CancellationToken cancellationToken)
    {
        var (siloPort, gatewayPort) = FreeLoopbackPorts();
        var ready = Path.Combine(work, "silo.ready");
        await using var silo = DotnetCli.Start(dotnet, work, [app.Assembly, "silo", $"{siloPort}", $"{gatewayPort}", ready]);
        var starting = Stopwatch.StartNew();
        while (!File.Exists(ready) && !silo.HasExited && starting.Elapsed < SiloStartTimeout)
        {
            await Task.Delay(100, cancellationToken);
        }

        if (!File.Exists(ready))
        {
            var failed = await silo.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
            Assert.Fail($"The consumer's silo did not start within {SiloStartTimeout.TotalSeconds:F0} s.\n{failed.Describe()}");
        }

        var clientRun = await DotnetCli.RunAsync(dotnet, work, RunTimeout, [app.Assembly, "client", $"{gatewayPort}"], cancellationToken);
        try
        {
            // The silo's cue to go idle, then stop and print; also when the client failed, so its output is there too.
            await silo.StandardInput.WriteLineAsync("stop");
            silo.StandardInput.Close();
        }
        catch (IOException)
        {
            // The silo is gone: its output says why.
        }

        var siloRun = await silo.WaitAsync(RunTimeout, cancellationToken);
        var both = $"{clientRun.Describe()}\n{siloRun.Describe()}";
        Assert.True(clientRun.Succeeded && siloRun.Succeeded, $"The consumer app failed.\n{both}");
        var output = new ConsumerOutput(Parse(clientRun, both), Parse(siloRun, both), clientRun, siloRun);
        Assert.True(output.Client.Reply == "echo: hello", $"Grain A did not relay grain B's answer.\n{both}");
        return output;
    }

    private static HostOutput Parse(CommandResult run, string both)
    {
        try
        {
            return JsonSerializer.Deserialize<HostOutput>(run.Output, JsonOptions)
                ?? throw new JsonException("The document is null.");
        }
        catch (JsonException ex)
        {
            Assert.Fail($"The stdout of `{run.Command}` is not its JSON document: {ex.Message}\n{both}");
            throw;
        }
    }

    /// <summary>root → CLIENT A (client) → SERVER A (silo) → CLIENT B (silo, grain to grain) → SERVER B (silo), in one trace.</summary>
    private static void AssertOneParentedTrace(ConsumerOutput output, string report)
    {
        var silo = output.Silo.Spans;
        var client = output.Client.Spans;
        var root = Single(client, s => s.SpanId == output.RootSpanId, "the app's root span, exported by the client", report);
        Assert.True(root.ParentSpanId is null && root.TraceId == output.RootTraceId && root.Source == "Consumer.App", $"The app's root span is not a root.\n{report}");

        var clientA = Single(client, s => s.Kind == "Client" && s.Name == "IGrainA/RelayAsync", "the client's CLIENT span for grain A", report);
        var serverA = Single(silo, s => s.Kind == "Server" && s.Name == "IGrainA/RelayAsync", "the silo's SERVER span for grain A", report);
        var clientB = Single(silo, s => s.Kind == "Client" && s.Name == "IGrainB/EchoAsync", "grain A's CLIENT span for grain B", report);
        var serverB = Single(silo, s => s.Kind == "Server" && s.Name == "IGrainB/EchoAsync", "the silo's SERVER span for grain B", report);
        var clientGrainSpans = client.Where(s => s.Source == ApplicationSource).Select(Describe).ToList();
        Assert.True(clientGrainSpans.Count == 1, $"The client exported grain spans besides its one call:\n{string.Join('\n', clientGrainSpans)}\n{report}");
        foreach (var (span, parent, method) in new[]
        {
            (clientA, root, RelayMethod),
            (serverA, clientA, RelayMethod),
            (clientB, serverA, EchoMethod),
            (serverB, clientB, EchoMethod),
        })
        {
            var what = $"{span.Kind} {span.Name}";
            Assert.True(span.ParentSpanId == parent.SpanId, $"{what}'s parent is {span.ParentSpanId}, not {parent.Kind} {parent.Name} ({parent.SpanId}).\n{report}");
            Assert.True(span.TraceId == output.RootTraceId, $"{what} is not in the root's trace {output.RootTraceId}.\n{report}");
            Assert.True(span.Source == ApplicationSource, $"{what} comes from {span.Source}, not {ApplicationSource}.\n{report}");
            Assert.True(Tag(span.Tags, "rpc.method") == method, $"{what} has rpc.method {Tag(span.Tags, "rpc.method")}, not {method}.\n{report}");
            Assert.True(Tag(span.Tags, "rpc.system.name") == "orleans", $"{what} has no rpc.system.name=orleans.\n{report}");
        }
    }

    /// <summary>Nothing either host exported belongs to a trace Orleans started on its own, though it did background work.</summary>
    private static void AssertNoRuntimeNoise(ConsumerOutput output, string report)
    {
        foreach (var (host, telemetry) in output.Hosts)
        {
            var roots = telemetry.Spans.Where(s => s.ParentSpanId is null && s.SpanId != output.RootSpanId).Select(Describe).ToList();
            Assert.True(roots.Count == 0, $"The {host} host exported traces nobody asked for:\n{string.Join('\n', roots)}\n{report}");
            var elsewhere = telemetry.Spans.Where(s => s.TraceId != output.RootTraceId).Select(Describe).ToList();
            Assert.True(elsewhere.Count == 0, $"The {host} host exported spans outside the request's trace:\n{string.Join('\n', elsewhere)}\n{report}");
            var runtime = telemetry.Spans.Where(s => s.Source == RuntimeSource).Select(Describe).ToList();
            Assert.True(runtime.Count == 0, $"The {host} host exported {RuntimeSource} spans, which the setup does not add:\n{string.Join('\n', runtime)}\n{report}");
        }

        var exported = output.Silo.Spans.Concat(output.Client.Spans).Select(s => s.SpanId).ToHashSet();
        var orphans = output.Silo.Spans.Concat(output.Client.Spans)
            .Where(s => s.ParentSpanId is { } parent && !exported.Contains(parent)).Select(Describe).Distinct().ToList();
        Assert.True(orphans.Count == 0, $"Spans whose parent was never exported (a broken trace):\n{string.Join('\n', orphans)}\n{report}");

        // Without background work during the run, "no noise" would prove nothing.
        Assert.True(
            output.Silo.BackgroundRootSpans is { Count: > 0 },
            $"Orleans started no background trace while the silo was idle ({output.Silo.IdleSeconds:F1} s): the noise check saw nothing to filter.\n{report}");
    }

    /// <summary>rpc.server.call.duration per grain method on the silo, rpc.client.call.duration for the client's call only.</summary>
    private static void AssertRpcHistograms(ConsumerOutput output, string report)
    {
        AssertOneCall(output.Silo.Metrics, "rpc.server.call.duration", RelayMethod, "silo", report);
        AssertOneCall(output.Silo.Metrics, "rpc.server.call.duration", EchoMethod, "silo", report);
        AssertOneCall(output.Client.Metrics, "rpc.client.call.duration", RelayMethod, "client", report);

        var rpc = output.Hosts.ToDictionary(h => h.Name, h => h.Telemetry.Metrics.Where(p => p.Meter == RpcMeter).ToList());
        Assert.True(
            rpc["silo"].All(p => p.Name == "rpc.server.call.duration"),
            $"The silo measured more than the calls it handled (a grain's outgoing call is the callee's to measure).\n{report}");
        Assert.True(rpc["client"].All(p => p.Name == "rpc.client.call.duration"), $"The client measured calls it did not make.\n{report}");
        Assert.True(rpc["silo"].Count == 2 && rpc["client"].Count == 1, $"More rpc metric series than the app's calls.\n{report}");
        var withService = rpc.Values.SelectMany(points => points).Where(p => p.Tags.ContainsKey("rpc.service")).Select(p => p.Name).ToList();
        Assert.True(withService.Count == 0, $"The deprecated rpc.service is on {string.Join(", ", withService)}.\n{report}");
    }

    private static void AssertOneCall(IReadOnlyList<ExportedPoint> points, string instrument, string method, string host, string report)
    {
        var matching = points.Where(p => p.Meter == RpcMeter && p.Name == instrument && Tag(p.Tags, "rpc.method") == method).ToList();
        Assert.True(matching.Count == 1, $"The {host} host exported {matching.Count} {instrument} points for {method}, not one.\n{report}");
        var point = matching[0];
        Assert.True(point.Type == "Histogram" && point.Count == 1, $"{instrument} for {method} on the {host} host is a {point.Type} counting {point.Count}, not one call.\n{report}");
        Assert.True(
            point.Tags.Count == 2 && Tag(point.Tags, "rpc.system.name") == "orleans",
            $"{instrument} for {method} has the attributes {string.Join(", ", point.Tags.Select(t => $"{t.Key}={t.Value}"))}, " +
            $"not rpc.system.name=orleans and rpc.method only.\n{report}");
    }

    private static ExportedSpan Single(IReadOnlyList<ExportedSpan> spans, Func<ExportedSpan, bool> match, string what, string report)
    {
        var found = spans.Where(match).ToList();
        Assert.True(found.Count == 1, $"Expected one span: {what}; found {found.Count}.\n{report}");
        return found[0];
    }

    private static string? Tag(IReadOnlyDictionary<string, string?> tags, string key) => tags.GetValueOrDefault(key);

    private static string Describe(ExportedSpan s) =>
        $"{s.Source} | {s.Name} | {s.Kind} | trace {s.TraceId} | span {s.SpanId} | parent {s.ParentSpanId ?? "-"} | {string.Join(", ", s.Tags.Select(t => $"{t.Key}={t.Value}"))}";

    /// <summary>The exported spans, one a line, then everything the app wrote: the message of any failed assertion.</summary>
    private static string Report(ConsumerOutput output)
    {
        var text = new StringBuilder($"Root span {output.RootSpanId} in trace {output.RootTraceId}; background roots Orleans started on the silo: ")
            .AppendJoin(", ", output.Silo.BackgroundRootSpans ?? []).AppendLine();
        foreach (var (host, telemetry) in output.Hosts)
        {
            text.AppendLine($"--- {host}: spans ---");
            foreach (var span in telemetry.Spans)
            {
                text.AppendLine(Describe(span));
            }

            text.AppendLine($"--- {host}: {RpcMeter} points ---");
            foreach (var point in telemetry.Metrics.Where(p => p.Meter == RpcMeter))
            {
                text.AppendLine($"{point.Name} count {point.Count} | {string.Join(", ", point.Tags.Select(t => $"{t.Key}={t.Value}"))}");
            }
        }

        return text.AppendLine(output.ClientRun.Describe()).Append(output.SiloRun.Describe()).ToString();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansObservability.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No OrleansObservability.sln in {AppContext.BaseDirectory} or any folder above it.");
    }

    private static string PropertyOf(string propsFile, string name) =>
        XDocument.Load(propsFile).Descendants(name).Select(e => e.Value.Trim()).FirstOrDefault(v => v.Length > 0)
        ?? throw new InvalidOperationException($"{propsFile} sets no {name}.");

    private static XElement Source(string key, string value) => new("add", new XAttribute("key", key), new XAttribute("value", value));

    private static (int SiloPort, int GatewayPort) FreeLoopbackPorts()
    {
        // Both held at once, so they differ; released just before the app binds them.
        using var silo = new TcpListener(IPAddress.Loopback, 0);
        using var gateway = new TcpListener(IPAddress.Loopback, 0);
        silo.Start();
        gateway.Start();
        var ports = (((IPEndPoint)silo.LocalEndpoint).Port, ((IPEndPoint)gateway.LocalEndpoint).Port);
        silo.Stop();
        gateway.Stop();
        return ports;
    }

    private static string Read(ZipArchiveEntry? entry)
    {
        using var reader = new StreamReader(entry!.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string Sha256(ZipArchiveEntry? entry)
    {
        using var stream = entry!.Open();
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log($"Could not delete {folder}: {ex.Message}");
        }
    }

    /// <summary>The package just packed into the run's feed, and the command that packed it.</summary>
    private sealed record PackedPackage(string Feed, string Version, string AssemblySha256, CommandResult Pack);

    /// <summary>The built consumer app's entry assembly, and the command that restored and built it.</summary>
    private sealed record ConsumerApp(string Assembly, CommandResult Build);
}

/// <summary>What the consumer app's two processes exported, and how they ran.</summary>
public sealed record ConsumerOutput(HostOutput Client, HostOutput Silo, CommandResult ClientRun, CommandResult SiloRun)
{
    public string RootTraceId => Client.RootTraceId ?? "";

    public string RootSpanId => Client.RootSpanId ?? "";

    public IEnumerable<(string Name, HostOutput Telemetry)> Hosts => [("silo", Silo), ("client", Client)];
}

/// <summary>
/// The JSON document one process of the consumer app prints: every span and metric point its providers exported, and
/// the client's request root or the silo's idle period.
/// </summary>
public sealed record HostOutput(
    IReadOnlyList<ExportedSpan> Spans,
    IReadOnlyList<ExportedPoint> Metrics,
    string? RootTraceId = null,
    string? RootSpanId = null,
    string? Reply = null,
    double IdleSeconds = 0,
    IReadOnlyList<string>? BackgroundRootSpans = null);

/// <summary>One exported span, as the in-memory exporter had it.</summary>
public sealed record ExportedSpan(
    string Source,
    string Name,
    string Kind,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Status,
    IReadOnlyDictionary<string, string?> Tags);

/// <summary>One exported metric point: its instrument, attributes and, for a histogram, how many measurements it holds.</summary>
public sealed record ExportedPoint(string Meter, string Name, string Type, IReadOnlyDictionary<string, string?> Tags, long? Count);
