using Observability.Grains.Interfaces;

namespace Observability.Api.Faults;

internal static class FaultInjectionMiddleware
{
    /// <summary>
    /// Where <c>SimulatedDatabase:AllowFaultInjection</c> is on, a request whose <see cref="FaultInjection.HeaderName"/>
    /// header is <c>1</c> or <c>true</c> makes every simulated database operation it causes fail; any other value (<c>0</c>,
    /// <c>false</c>, empty) asks for nothing. Where it is off (the default) the header is ignored and nothing is added to
    /// the pipeline.
    /// </summary>
    public static WebApplication UseFaultInjectionHeader(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>(FaultInjection.ConfigurationKey))
        {
            return app;
        }

        app.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue(FaultInjection.HeaderName, out var value) && FaultInjection.IsOn(value))
            {
                FaultInjection.RequestDatabaseFault();
            }

            return next(context);
        });
        return app;
    }
}
