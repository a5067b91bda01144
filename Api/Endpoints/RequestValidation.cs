using Microsoft.AspNetCore.Http.HttpResults;
using Observability.Grains.Interfaces;

namespace Observability.Api.Endpoints;

/// <summary>Turns the domain rules into 400 validation problems, before any grain is called.</summary>
internal static class RequestValidation
{
    public static ValidationProblem? UserId(string userId) =>
        DomainRules.IsValidUserId(userId)
            ? null
            : Problem([("userId", $"A user id is 1-{DomainRules.MaxUserIdLength} letters, digits, '-' or '_'.")]);

    public static ValidationProblem? Problem(IEnumerable<(string Field, string Error)> errors)
    {
        var byField = errors
            .GroupBy(e => e.Field, e => e.Error)
            .ToDictionary(g => g.Key, g => g.ToArray());
        return byField.Count == 0 ? null : TypedResults.ValidationProblem(byField);
    }

    public static ValidationProblem BodyRequired() => Problem([("body", "A JSON body is required.")])!;
}
