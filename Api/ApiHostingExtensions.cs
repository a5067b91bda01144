using Observability.Api.ErrorHandling;
using Observability.Api.Orleans;

namespace Observability.Api;

public static class ApiHostingExtensions
{
    /// <summary>Largest request body the API reads; larger bodies are answered 413.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.AddClusterClient();
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDetailsTraceId.Add);
        builder.Services.AddExceptionHandler<KnownExceptionHandler>();
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication UseApi(this WebApplication app)
    {
        app.UseTraceResponseHeader();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseFaultInjectionHeader();
        app.MapOpenApi();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/openapi/v1.json", "OrleansObservability API v1");
            options.RoutePrefix = "swagger";
        });
        return app;
    }
}
