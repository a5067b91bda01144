using System.Diagnostics;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Packaging;

/// <summary>
/// Runs the <c>dotnet</c> CLI the way a user's shell would, not with the test's own build environment: each command
/// has a deadline, leaves no build server behind, and has its whole process tree killed on timeout, cancellation or
/// disposal.
/// </summary>
public sealed class DotnetCli : IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;
    private readonly Stopwatch _watch;

    private DotnetCli(string command, Process process)
    {
        Command = command;
        _process = process;
        _watch = Stopwatch.StartNew();
        ChildProcess.Start(process);
        _output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        _error = process.StandardError.ReadToEndAsync(CancellationToken.None);
    }

    public string Command { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process's stdin; disposing the process closes it.</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>The <c>dotnet</c> executable on PATH; fails the test with what to install where there is none.</summary>
    public static string Require()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException(
            $"'{name}' is not on PATH, so the package consumer test can neither pack the library nor build an app with it. " +
            "Install the .NET SDK that global.json names (https://dotnet.microsoft.com/download) and put its folder on PATH.");
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/> to completion or the deadline.</summary>
    public static async Task<CommandResult> RunAsync(
        string dotnet, string workingDirectory, TimeSpan timeout, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        await using var process = Start(dotnet, workingDirectory, arguments);
        process.StandardInput.Close();
        return await process.WaitAsync(timeout, cancellationToken);
    }

    /// <summary>Starts <c>dotnet</c> with <paramref name="arguments"/>; dispose it to kill what is left of it.</summary>
    public static DotnetCli Start(string dotnet, string workingDirectory, IReadOnlyList<string> arguments)
    {
        // What the test host inherited from its own build or runner (MSBuild's paths, NuGet's folders) or the machine's
        // telemetry settings would change what the child builds or records: a user's shell has none of it.
        var info = ChildProcess.Describe(dotnet, arguments, workingDirectory, redirectInput: true);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        return new DotnetCli($"dotnet {string.Join(' ', arguments)}", new Process { StartInfo = info });
    }

    /// <summary>Waits for the process to exit; at the deadline or on cancellation it kills the process tree.</summary>
    public async Task<CommandResult> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
        }
        finally
        {
            KillTree();
        }

        var result = new CommandResult(
            Command,
            timedOut ? null : _process.ExitCode,
            await DrainAsync(_output),
            await DrainAsync(_error),
            _watch.Elapsed,
            timeout);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        KillTree();
        await DrainAsync(_output);
        await DrainAsync(_error);
        _process.Dispose();
    }

    // Also when the test failed or was cancelled: nothing this test started outlives it.
    private void KillTree()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(DrainTimeout);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    // A grandchild that escaped the kill could hold the pipe open: its output is not worth hanging the test for.
    private static async Task<string> DrainAsync(Task<string> read)
    {
        try
        {
            return await read.WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            return "(the output stream stayed open after the process ended)";
        }
    }
}

/// <summary>How one <c>dotnet</c> command ended, with all it wrote, for assertions and their messages.</summary>
/// <param name="Command">The command line.</param>
/// <param name="ExitCode">Its exit code; null when it was killed at its deadline.</param>
/// <param name="Output">Everything it wrote on stdout.</param>
/// <param name="Error">Everything it wrote on stderr.</param>
/// <param name="Elapsed">How long it ran.</param>
/// <param name="Timeout">Its deadline.</param>
public sealed record CommandResult(string Command, int? ExitCode, string Output, string Error, TimeSpan Elapsed, TimeSpan Timeout)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The outcome and both streams, for a failure message.</summary>
    public string Describe() =>
        (ExitCode is { } code
            ? $"`{Command}` exited with {code} after {Elapsed.TotalSeconds:F1} s."
            : $"`{Command}` did not finish within {Timeout.TotalMinutes:F0} min and was killed.") +
        $"\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}
