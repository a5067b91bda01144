using Observability.ServiceDefaults;
using Observability.Silo;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSilo();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapSiloDashboard();

app.Run();
