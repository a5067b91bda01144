namespace Observability.Silo;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Critical, Message = "The silo has not stopped {Limit} after the stop request (a membership store that does not answer?); ending the process.")]
    public static partial void ForcedExit(ILogger logger, TimeSpan limit);
}
