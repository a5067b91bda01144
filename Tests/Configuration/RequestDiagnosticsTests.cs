using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Observability.ServiceDefaults;
using Observability.ServiceDefaults.Hosting;

namespace Observability.Tests.Configuration;

/// <summary>
/// With the OpenTelemetry SDK disabled, a request gets no ASP.NET Core request log scope (nor, with no listener in the
/// process, its activity) that nothing would read, unless logging asks for the request logs; with the SDK on, nothing
/// changes. In this test process other hosts listen to every activity source, so the scope is what shows it.
/// </summary>
public sealed class RequestDiagnosticsTests
{
    [Theory]
    [InlineData("true", "Warning", false)]      // the shipped Microsoft.AspNetCore level, telemetry off
    [InlineData("true", "Information", true)]   // request logs asked for on a parent category
    [InlineData("false", "Warning", true)]
    [InlineData(null, "Warning", true)]
    public async Task A_request_gets_the_hosting_log_scope_only_where_something_reads_it(string? sdkDisabled, string aspNetCoreLevel, bool expected)
    {
        var scopes = new ScopeRecorder();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection([
            new("OTEL_SDK_DISABLED", sdkDisabled),
            new("Logging:LogLevel:Default", "Information"),
            new("Logging:LogLevel:Microsoft.AspNetCore", aspNetCoreLevel),
            new(ManagementEndpoint.UrlKey, ""),
        ]);
        builder.AddServiceDefaults();
        builder.Logging.AddProvider(scopes);
        await using var app = builder.Build();
        app.MapGet("/scopes", () => string.Join('|', scopes.Current()));
        await app.StartAsync(TestContext.Current.CancellationToken);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(RequestDiagnostics.Category);
        var requestScopes = await app.GetTestClient().GetStringAsync("/scopes", TestContext.Current.CancellationToken);

        Assert.Equal(expected, logger.IsEnabled(LogLevel.Critical));
        Assert.Equal(expected, requestScopes.Contains("RequestPath:/scopes", StringComparison.Ordinal));
    }

    /// <summary>A logger provider that only reads the scopes open where it is asked.</summary>
    private sealed class ScopeRecorder : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public List<string> Current()
        {
            var open = new List<string>();
            _scopes?.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), open);
            return open;
        }

        public ILogger CreateLogger(string categoryName) => Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }
    }
}
