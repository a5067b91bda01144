using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Observability.Api.Cluster;
using Observability.Grains.Interfaces;

namespace Observability.Api.ErrorHandling;

/// <summary>
/// Turns failures into the status a client can act on: a request that could not be read is 400 (413 when too
/// large), a database outage, a write that lost an etag race or a call the cluster rejected (after the retries of
/// <see cref="GrainCallRetry"/>) is 503 with Retry-After, a grain call that timed out is 504. Everything else stays a
/// 500 problem. All of them carry the trace id.
/// </summary>
internal sealed class KnownExceptionHandler(IProblemDetailsService problemDetails, ILogger<KnownExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, cause) = Classify(exception);
        if (status == 0)
        {
            return false;
        }

        if (status >= StatusCodes.Status500InternalServerError)
        {
            Log.BackendFailure(logger, status, exception);
        }

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = cause?.Message },
        });
    }

    private static (int Status, string? Title, Exception? Cause) Classify(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case BadHttpRequestException badRequest:
                    return (badRequest.StatusCode, "The request could not be read.", badRequest);
                case DatabaseUnavailableException:
                    return (StatusCodes.Status503ServiceUnavailable, "The database is unavailable.", current);
                case var rejected when GrainCallRetry.IsRejection(rejected):
                    return (StatusCodes.Status503ServiceUnavailable, "The cluster could not run the call; retry shortly.", current);
                case Orleans.Storage.InconsistentStateException:
                    // A write lost a race with another activation's (two activations of one grain while the cluster's
                    // view settles): Orleans has deactivated the grain, which reads the store again on the next call.
                    return (StatusCodes.Status503ServiceUnavailable, "The data changed while the call ran; retry shortly.", current);
                case TimeoutException:
                    return (StatusCodes.Status504GatewayTimeout, "The cluster did not answer in time.", current);
            }
        }

        return (0, null, null);
    }
}
