using Observability.Grains.Interfaces;

namespace Observability.Api.Contracts;

/// <summary>Body of <c>PUT /api/users/{userId}</c>.</summary>
public sealed record UserProfileRequest(string? DisplayName, string? Email);

public sealed record UserProfileResponse(string UserId, string DisplayName, string Email, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static UserProfileResponse From(UserProfile profile) =>
        new(profile.UserId, profile.DisplayName, profile.Email, profile.CreatedAt, profile.UpdatedAt);
}

/// <summary>Body of <c>GET /api/users/{userId}/stats</c>: counted from the user's order events, so it lags a placement slightly.</summary>
public sealed record OrderStatsResponse(string UserId, int OrderCount, decimal TotalSpent, DateTimeOffset? FirstOrderAt, DateTimeOffset? LastOrderAt)
{
    public static OrderStatsResponse From(OrderStats stats) =>
        new(stats.UserId, stats.OrderCount, stats.TotalSpent, stats.FirstOrderAt, stats.LastOrderAt);
}
