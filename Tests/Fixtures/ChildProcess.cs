using System.Collections.Concurrent;
using System.Diagnostics;

namespace Observability.Tests.Fixtures;

/// <summary>
/// The one way the tests start a child process: output redirected, the test machine's own settings scrubbed from its
/// environment, and tied to the test host's life, so that a test host that crashes or is killed leaves no silo, API,
/// Redis or Prometheus running.
/// </summary>
/// <remarks>
/// The tie is Linux's parent-death signal: each child starts through <c>setpriv --pdeathsig KILL</c>, which sets it
/// and then execs the program (same process id, so the tests' signals reach the program itself). The kernel sends the
/// signal when the thread that forked the child ends, not the process, and .NET forks on the calling thread; so every
/// child is forked from one thread that lives as long as the test host.
/// </remarks>
public static class ChildProcess
{
    /// <summary>
    /// Environment variables a child must not inherit from the test host: the settings the hosts read (configuration
    /// sections and OTEL_*), and what the test runner or its build set (MSBuild, NuGet, the test platform).
    /// </summary>
    private static readonly string[] ScrubbedPrefixes =
    [
        "OTEL_", "ASPNETCORE_", "DOTNET_ENVIRONMENT", "Orleans__", "ManagementEndpoint__", "InboundTraceContext__",
        "SimulatedDatabase__", "Logging__", "NUGET_", "VSTEST_", "TESTINGPLATFORM_",
    ];

    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = [];

    private static readonly Lazy<string> Launcher = new(() => ExternalTool.Require("setpriv", "util-linux"));

    static ChildProcess()
    {
        var forker = new Thread(Fork) { IsBackground = true, Name = "child process forker" };
        forker.Start();
    }

    /// <summary>A start description for <paramref name="program"/> with <paramref name="arguments"/>, scrubbed and redirected.</summary>
    public static ProcessStartInfo Describe(string program, IEnumerable<string> arguments, string workingDirectory, bool redirectInput = false)
    {
        var info = new ProcessStartInfo(Launcher.Value)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in (string[])["--pdeathsig", "KILL", "--", program, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var key in info.Environment.Keys.Where(IsScrubbed).ToList())
        {
            info.Environment.Remove(key);
        }

        return info;
    }

    /// <summary>Starts <paramref name="process"/> (its StartInfo from <see cref="Describe"/>) on the forker thread.</summary>
    public static void Start(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        started.Task.GetAwaiter().GetResult();
    }

    private static bool IsScrubbed(string key) =>
        key.Contains("MSBUILD", StringComparison.OrdinalIgnoreCase)
        || ScrubbedPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    private static void Fork()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
