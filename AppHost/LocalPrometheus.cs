namespace Observability.AppHost;

/// <summary>
/// Prometheus as a local process: the jobs and rules of deploy/prometheus with this machine's addresses instead of
/// Docker DNS, and the lookup of the programs that run it. One piece of code for the AppHost's cluster mode and the
/// tests' process harness (which compiles this file in), so both scrape what compose scrapes.
/// </summary>
internal static class LocalPrometheus
{
    /// <summary>
    /// Writes a Prometheus configuration that scrapes <paramref name="siloTargets"/> and <paramref name="apiTarget"/>
    /// and, given an <paramref name="alertmanagerTarget"/> (host:port), sends its alerts there as compose's does.
    /// </summary>
    public static void WriteConfig(
        string path, string rulesDirectory, TimeSpan interval, IEnumerable<string> siloTargets, string apiTarget, string? alertmanagerTarget = null)
    {
        var seconds = $"{(int)interval.TotalSeconds}s";
        var silos = string.Join(", ", siloTargets.Select(target => $"\"{target}\""));
        var alerting = alertmanagerTarget is null ? "" : $"""
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ["{alertmanagerTarget}"]

            """;
        File.WriteAllText(path, $"""
            global:
              scrape_interval: {seconds}
              evaluation_interval: {seconds}
            {alerting}rule_files:
              - {Path.Combine(rulesDirectory, "*.yml")}
            scrape_configs:
              - job_name: silo
                static_configs:
                  - targets: [{silos}]
              - job_name: api
                static_configs:
                  - targets: ["{apiTarget}"]
            """);
    }

    /// <summary>The full path of <paramref name="command"/> on <c>PATH</c>, or null where it is not installed.</summary>
    public static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(File.Exists);
}
