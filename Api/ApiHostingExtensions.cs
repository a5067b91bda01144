using Microsoft.AspNetCore.Http.Features;
using Observability.Api.Cluster;
using Observability.Api.Contracts;
using Observability.Api.Endpoints;
using Observability.Api.ErrorHandling;
using Observability.Api.Faults;
using Observability.Api.Tracing;
using Observability.ServiceDefaults.Hosting;

namespace Observability.Api;

public static class ApiHostingExtensions
{
    private const string SwaggerRoutePrefix = "swagger";

    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = ApiEndpoints.MaxRequestBodyBytes);
        builder.AddClusterClient();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDetailsTraceId.Add);
        builder.Services.AddExceptionHandler<KnownExceptionHandler>();
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication UseApi(this WebApplication app)
    {
        app.UseTraceResponseHeader();
        app.UseExceptionHandler();
        // Problem bodies for empty error responses: no route, a wrong method, a management path on the public port, or
        // a request body that cannot be read (400, 413, 415, answered before the handler runs). A request to the API's
        // own resources without a body skips it: every error its handler answers has a body already, and the
        // middleware would cost each such request its feature, its items and an await (about 470 B).
        app.UseWhen(
            static context => context.GetEndpoint()?.Metadata.GetMetadata<ApiEndpoints.Marker>() is null ||
                              context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false,
            static other => other.UseStatusCodePages());
        app.UseFaultInjectionHeader();
        if (!app.Environment.IsDevelopment())
        {
            // The OpenAPI document is for tooling: on the management endpoint, with no UI.
            app.MapOpenApi().OnManagementPort();
            return app;
        }

        app.MapOpenApi();
        // Only on its own path: the UI middleware matches every request's path against its routes otherwise.
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/" + SwaggerRoutePrefix),
            swagger => swagger.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint("/openapi/v1.json", "OrleansObservability API v1");
                options.RoutePrefix = SwaggerRoutePrefix;
            }));
        return app;
    }
}
