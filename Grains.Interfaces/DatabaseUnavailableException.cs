namespace Observability.Grains.Interfaces;

/// <summary>
/// The (simulated) database could not serve an operation. Crosses grain and client boundaries intact, so the API can
/// answer 503 instead of a generic 500. It derives from <see cref="OrleansException"/> so that Orleans' storage
/// bridge rethrows it as it is instead of wrapping it, and <c>error.type</c> names the real cause.
/// </summary>
[GenerateSerializer, Alias("OrleansObservability.DatabaseUnavailableException")]
public sealed class DatabaseUnavailableException : OrleansException
{
    public DatabaseUnavailableException()
    {
    }

    public DatabaseUnavailableException(string message)
        : base(message)
    {
    }

    public DatabaseUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
