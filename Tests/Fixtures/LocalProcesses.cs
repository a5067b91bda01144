using System.Diagnostics;
using System.Globalization;

namespace Observability.Tests.Fixtures;

/// <summary>One process of this machine, as /proc shows it.</summary>
public sealed record LocalProcess(int Pid, int ParentPid, string CommandLine)
{
    public override string ToString() => $"{Pid} {CommandLine}";
}

/// <summary>
/// The processes a launcher started, read from /proc rather than trusted to a dispose: the tree under a root process,
/// and DCP's, which detaches from the AppHost (its parent becomes init) and names the AppHost it serves in
/// <c>--monitor {pid}</c>.
/// </summary>
public static class LocalProcesses
{
    /// <summary>Every process now running (zombies excluded).</summary>
    public static IReadOnlyList<LocalProcess> All()
    {
        var result = new List<LocalProcess>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } process)
            {
                result.Add(process);
            }
        }

        return result;
    }

    /// <summary>True while <paramref name="pid"/> runs (a zombie has stopped running).</summary>
    public static bool IsRunning(int pid) => Read(pid) is not null;

    /// <summary>
    /// The processes under <paramref name="rootPid"/> (itself excluded), plus every DCP server that monitors one of
    /// them or the root, and the processes under those.
    /// </summary>
    public static IReadOnlyList<LocalProcess> LaunchedBy(int rootPid)
    {
        var all = All();
        var children = all.ToLookup(p => p.ParentPid);
        var found = new Dictionary<int, LocalProcess>();
        var roots = new Queue<int>([rootPid]);
        while (roots.TryDequeue(out var root))
        {
            var monitors = all.Where(p => p.CommandLine.Contains("/dcp ", StringComparison.Ordinal)
                && p.CommandLine.Contains($" --monitor {root.ToString(CultureInfo.InvariantCulture)} ", StringComparison.Ordinal));
            var pending = new Stack<LocalProcess>(children[root].Concat(monitors));
            while (pending.TryPop(out var process))
            {
                if (found.TryAdd(process.Pid, process))
                {
                    roots.Enqueue(process.Pid);
                    foreach (var child in children[process.Pid])
                    {
                        pending.Push(child);
                    }
                }
            }
        }

        return [.. found.Values.OrderBy(p => p.Pid)];
    }

    /// <summary>Kills each of <paramref name="processes"/> still running with its tree: the cleanup after a failure.</summary>
    public static void KillRemaining(IEnumerable<LocalProcess> processes)
    {
        foreach (var process in processes.Where(p => IsRunning(p.Pid)))
        {
            try
            {
                using var running = Process.GetProcessById(process.Pid);
                running.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Exited meanwhile.
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }
    }

    private static LocalProcess? Read(int pid)
    {
        try
        {
            // /proc/{pid}/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] == "Z")
            {
                return null;
            }

            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').TrimEnd();
            return new LocalProcess(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), commandLine);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
