using Observability.Grains.Interfaces;

namespace Observability.Api.Contracts;

/// <summary>Body of <c>PUT /api/users/{userId}</c>.</summary>
public sealed record UserProfileRequest(string? DisplayName, string? Email);

public sealed record UserProfileResponse(string UserId, string DisplayName, string Email, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static UserProfileResponse From(UserProfile profile) =>
        new(profile.UserId, profile.DisplayName, profile.Email, profile.CreatedAt, profile.UpdatedAt);
}
