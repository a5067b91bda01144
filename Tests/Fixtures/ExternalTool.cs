using System.Diagnostics;
using Observability.AppHost;

namespace Observability.Tests.Fixtures;

/// <summary>Runs a command-line tool to completion; a missing tool fails the test and says what to install.</summary>
public static class ExternalTool
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, string debianPackage, string workingDirectory, params string[] arguments)
    {
        var path = Require(tool, debianPackage);
        using var process = new Process { StartInfo = ChildProcess.Describe(path, arguments, workingDirectory) };
        ChildProcess.Start(process);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish in 2 minutes.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    public static string Require(string tool, string debianPackage) =>
        Find(tool) ?? throw new InvalidOperationException($"'{tool}' is not installed: run bash .ci/test, which installs it (apt-get install -y {debianPackage}).");

    private static string? Find(string tool) => LocalPrometheus.FindOnPath(tool);
}
