using System.ComponentModel.DataAnnotations;
using Observability.Grains.Interfaces;

namespace Observability.Grains.Database;

/// <summary>
/// How the simulated database behaves (configuration section <c>SimulatedDatabase</c>). Every grain state read and
/// write waits a latency drawn uniformly between <see cref="MinLatency"/> and <see cref="MaxLatency"/>; a fraction
/// <see cref="SlowCallRate"/> of them waits <see cref="SlowCallLatency"/> instead (the tail a p99 panel should
/// show); a fraction <see cref="FailureRate"/> fails. All zero makes the database free, for benchmarks.
/// </summary>
public sealed class SimulatedDatabaseOptions : IValidatableObject
{
    public const string SectionName = "SimulatedDatabase";

    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan MinLatency { get; set; } = TimeSpan.FromMilliseconds(2);

    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan MaxLatency { get; set; } = TimeSpan.FromMilliseconds(12);

    [Range(0.0, 1.0)]
    public double SlowCallRate { get; set; } = 0.01;

    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan SlowCallLatency { get; set; } = TimeSpan.FromMilliseconds(150);

    [Range(0.0, 1.0)]
    public double FailureRate { get; set; }

    /// <summary>
    /// Lets a request ask for a database failure (the API's <see cref="FaultInjection.HeaderName"/> header), for demos and tests.
    /// Off by default: a public deployment must not let callers switch failures on.
    /// </summary>
    public bool AllowFaultInjection { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxLatency < MinLatency)
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(MaxLatency)} ({MaxLatency}) must not be less than {nameof(MinLatency)} ({MinLatency}).",
                [nameof(MaxLatency)]);
        }
    }
}
