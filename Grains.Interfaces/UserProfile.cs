namespace Observability.Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("OrleansObservability.UserProfile")]
public sealed record UserProfile(
    [property: Id(0)] string UserId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Email,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt);

[GenerateSerializer, Immutable, Alias("OrleansObservability.UserProfileDraft")]
public sealed record UserProfileDraft(
    [property: Id(0)] string DisplayName,
    [property: Id(1)] string Email);

[GenerateSerializer, Immutable, Alias("OrleansObservability.UpsertProfileResult")]
public sealed record UpsertProfileResult(
    [property: Id(0)] UserProfile Profile,
    [property: Id(1)] bool Created);
