var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

// Same route and a body of the same size as GET /api/users/{userId}, without Orleans or telemetry.
app.MapGet("/api/users/{userId}", (string userId) => TypedResults.Ok(new Profile(
    userId, "Load User", "load@example.com", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)));

app.Run();

internal sealed record Profile(string UserId, string DisplayName, string Email, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
