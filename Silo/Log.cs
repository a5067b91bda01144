namespace Observability.Silo;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Critical, Message = "The silo has not stopped {Limit} after the stop request (an unreachable membership store?); ending the process.")]
    public static partial void ForcedExit(ILogger logger, TimeSpan limit);
}
