using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Observability.Tests.Fixtures;

/// <summary>
/// A child process the tests start: its output is kept for failure messages, and disposing it always kills the
/// whole process tree, also when the test failed.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private const int KeptLines = 200;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private bool _disposed;

    private HostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    /// <summary>True once the process has exited, or was disposed (disposal kills it).</summary>
    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Waits for the process to exit by itself; false if it is still running at the deadline.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>True once a test killed or stopped the process on purpose (its exit is not a failure).</summary>
    public bool StoppedOnPurpose { get; private set; }

    /// <summary>kill -9: the process dies at once, as in a crash.</summary>
    public void Kill()
    {
        StoppedOnPurpose = true;
        _process.Kill(entireProcessTree: true);
    }

    /// <summary>Sends SIGTERM (what docker stop and Kubernetes send) and returns how long the process took to exit.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan timeout)
    {
        StoppedOnPurpose = true;
        var watch = Stopwatch.StartNew();
        Signal(Sigterm);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return Timeout.InfiniteTimeSpan;
        }

        return watch.Elapsed;
    }

    /// <summary>SIGSTOP: the process stays, but answers nothing (a hung or unreachable server).</summary>
    public void Pause() => Signal(Sigstop);

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal(Sigcont);

    private const int Sigterm = 15;
    private const int Sigstop = 19;
    private const int Sigcont = 18;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>The last lines the process wrote, for a failure message.</summary>
    public string RecentOutput => $"--- {Name} (last {KeptLines} lines) ---\n" + string.Join("\n", _output);

    public static HostProcess Start(string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var info = ChildProcess.Describe(fileName, arguments, workingDirectory);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new HostProcess(name, process);
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        ChildProcess.Start(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>
    /// Disposes every one of <paramref name="disposables"/> in turn (nulls skipped), even when disposing one fails;
    /// returns the failures.
    /// </summary>
    public static async Task<List<Exception>> DisposeAllAsync(IEnumerable<IAsyncDisposable?> disposables)
    {
        var failures = new List<Exception>();
        foreach (var disposable in disposables)
        {
            try
            {
                if (disposable is not null)
                {
                    await disposable.DisposeAsync();
                }
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }

        return failures;
    }

    /// <summary>Kills the process tree and waits for it; a second call does nothing (a test and its stack may both dispose).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        StoppedOnPurpose = true;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        catch (OperationCanceledException)
        {
            // Killed but not reaped within the timeout: nothing more to do, and the callers still dispose the rest.
        }
        finally
        {
            _disposed = true;
            _process.Dispose();
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > KeptLines && _output.TryDequeue(out _))
        {
        }
    }
}
