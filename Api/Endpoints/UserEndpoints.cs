using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Observability.Api.Contracts;
using Observability.Api.Cluster;
using Observability.Grains.Interfaces;

namespace Observability.Api.Endpoints;

public static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/users").WithTags("Users");
        users.MapGet("/{userId}", GetUserAsync)
            .WithName("GetUser")
            .WithSummary("Reads a user's profile.");
        users.MapPut("/{userId}", PutUserAsync)
            .WithName("PutUser")
            .WithSummary("Creates or replaces a user's profile.");
        users.MapGet("/{userId}/stats", GetStatsAsync)
            .WithName("GetUserStats")
            .WithSummary("Reads a user's order statistics, counted from the user's order events (they lag a placement slightly).");
        return app;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Results<Ok<UserProfileResponse>, ValidationProblem, ProblemHttpResult>> GetUserAsync(
        string userId, IClusterClient cluster, CancellationToken cancellationToken)
    {
        if (RequestValidation.UserId(userId) is { } invalid)
        {
            return invalid;
        }

        var profile = await GrainCallRetry.IdempotentAsync(cluster.GetGrain<IUserGrain>(userId), static user => user.GetProfileAsync(), cancellationToken);
        return profile is null ? UserNotFound(userId) : TypedResults.Ok(UserProfileResponse.From(profile));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Results<Ok<UserProfileResponse>, Created<UserProfileResponse>, ValidationProblem>> PutUserAsync(
        string userId, UserProfileRequest? request, IClusterClient cluster, CancellationToken cancellationToken)
    {
        if (RequestValidation.UserId(userId) is { } invalid)
        {
            return invalid;
        }

        if (request is null)
        {
            return RequestValidation.BodyRequired();
        }

        if (RequestValidation.Problem(DomainRules.ValidateProfile(request.DisplayName, request.Email)) is { } invalidBody)
        {
            return invalidBody;
        }

        var result = await GrainCallRetry.IdempotentAsync(
            (User: cluster.GetGrain<IUserGrain>(userId), Draft: new UserProfileDraft(request.DisplayName!, request.Email!)),
            static call => call.User.UpsertProfileAsync(call.Draft),
            cancellationToken);
        var response = UserProfileResponse.From(result.Profile);
        return result.Created ? TypedResults.Created($"/api/users/{userId}", response) : TypedResults.Ok(response);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Results<Ok<OrderStatsResponse>, ValidationProblem, ProblemHttpResult>> GetStatsAsync(
        string userId, IClusterClient cluster, CancellationToken cancellationToken)
    {
        if (RequestValidation.UserId(userId) is { } invalid)
        {
            return invalid;
        }

        var stats = await GrainCallRetry.IdempotentAsync(cluster.GetGrain<IUserOrderStatsGrain>(userId), static grain => grain.GetAsync(), cancellationToken);
        if (stats.OrderCount == 0 &&
            await GrainCallRetry.IdempotentAsync(cluster.GetGrain<IUserGrain>(userId), static user => user.GetProfileAsync(), cancellationToken) is null)
        {
            return UserNotFound(userId);
        }

        return TypedResults.Ok(OrderStatsResponse.From(stats));
    }

    internal static ProblemHttpResult UserNotFound(string userId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not found.", detail: $"There is no user '{userId}'.");
}
