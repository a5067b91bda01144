var builder = DistributedApplication.CreateBuilder(args);

// The hosts configure Orleans from their own appsettings (localhost clustering, silo port 11111, gateway
// 30000), exactly as they do when started alone; the AppHost adds the dashboard, OTLP export and start order.
var silo = builder.AddProject<Projects.Silo>("silo")
    .WithHttpHealthCheck("/health/ready");

builder.AddProject<Projects.Api>("api")
    .WithHttpHealthCheck("/health/ready")
    .WithExternalHttpEndpoints()
    .WaitFor(silo);

builder.Build().Run();
