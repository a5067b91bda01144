using Microsoft.AspNetCore.Mvc;

namespace Observability.Api.Endpoints;

public static class ApiEndpoints
{
    /// <summary>Largest request body the API reads; larger bodies are answered 413.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>
    /// Maps every resource under <c>/api</c>, each request body limited to <see cref="MaxRequestBodyBytes"/>, and each
    /// marked with <see cref="Marker"/>: every error these endpoints answer already has a problem body.
    /// </summary>
    public static IEndpointRouteBuilder MapApiEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithMetadata(new RequestSizeLimitAttribute(MaxRequestBodyBytes), Marker.Instance);
        api.MapUserEndpoints();
        api.MapOrderEndpoints();
        return app;
    }

    /// <summary>Endpoint metadata of the API's own resources.</summary>
    public sealed class Marker
    {
        public static readonly Marker Instance = new();

        private Marker()
        {
        }
    }
}
