using Observability.Api;
using Observability.Api.Endpoints;
using Observability.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApi();

var app = builder.Build();

app.UseApi();
app.MapDefaultEndpoints();
app.MapApiEndpoints();

app.Run();

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
