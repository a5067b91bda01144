// The ceiling: the slim builder, no logging. BARE_HOST=default instead takes the host defaults the API starts from
// (WebApplication.CreateBuilder: full configuration, the default logging providers and the per-request log scope),
// to tell what the generic host costs apart from what Orleans and telemetry cost.
WebApplicationBuilder builder;
if (Environment.GetEnvironmentVariable("BARE_HOST") == "default")
{
    builder = WebApplication.CreateBuilder(args);
}
else
{
    builder = WebApplication.CreateSlimBuilder(args);
    builder.Logging.ClearProviders();
}

var app = builder.Build();

// Same route and a body of the same size as GET /api/users/{userId}, without Orleans or telemetry.
app.MapGet("/api/users/{userId}", (string userId) => TypedResults.Ok(new Profile(
    userId, "Load User", "load@example.com", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)));

app.Run();

internal sealed record Profile(string UserId, string DisplayName, string Email, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
