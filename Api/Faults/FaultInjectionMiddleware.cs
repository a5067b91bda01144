using Observability.Grains.Interfaces;

namespace Observability.Api.Faults;

internal static class FaultInjectionMiddleware
{
    /// <summary>
    /// Where <c>SimulatedDatabase:AllowFaultInjection</c> is on, a request carrying the
    /// <see cref="FaultInjection.HeaderName"/> header makes every simulated database operation it causes fail.
    /// Where it is off (the default) the header is ignored and nothing is added to the pipeline.
    /// </summary>
    public static WebApplication UseFaultInjectionHeader(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>(FaultInjection.ConfigurationKey))
        {
            return app;
        }

        app.Use((context, next) =>
        {
            if (context.Request.Headers.ContainsKey(FaultInjection.HeaderName))
            {
                FaultInjection.RequestDatabaseFault();
            }

            return next(context);
        });
        return app;
    }
}
