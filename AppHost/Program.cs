using Microsoft.Extensions.Configuration;
using Observability.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// dotnet run --project AppHost                 one silo (in-memory storage), the API and the dashboard
// dotnet run --project AppHost -- --silos 3     three silos clustered through a local redis-server, plus Prometheus
// dotnet run --project AppHost -- --load 50     the load generator at 50 requests/s from the start (else: Start in the dashboard)
var siloCount = builder.Configuration.GetValue("silos", 1);
if (siloCount is < 1 or > 9)
{
    throw new ArgumentOutOfRangeException(nameof(args), siloCount, "--silos takes 1 to 9.");
}

var api = siloCount == 1 ? ClusterResources.AddSingleSilo(builder) : ClusterResources.AddCluster(builder, siloCount);
api.AnnounceWhenReady();
var loadRate = builder.Configuration.GetValue<int?>("load");
if (loadRate is < 1)
{
    throw new ArgumentOutOfRangeException(nameof(args), loadRate, "--load takes a rate of at least 1 request/s.");
}

ClusterResources.AddLoadGenerator(builder, api, loadRate);

LocalLauncher.StopResourcesBeforeExit(builder);
LocalLauncher.RequireFreePorts(builder);
builder.Build().Run();
