using System.Net.Sockets;

namespace Observability.Tests.Fixtures;

/// <summary>
/// Three silos, each in a network namespace of its own (<see cref="NetworkNamespaces"/>), with Redis (membership and
/// grain state) and the API in the hub. The silos reach each other and the API reaches their gateways over the
/// cluster network; every silo reaches Redis over the store network. The test talks to the API and the silos through
/// Unix sockets (Kestrel listens on one per host), which need no address outside the namespaces.
/// </summary>
public sealed class PartitionStack : IAsyncLifetime
{
    public const int SiloCount = 3;
    private const int RedisPort = 6379;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-observability-partition-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<HostProcess> _processes = [];
    private NetworkNamespaces? _network;

    public NetworkNamespaces Network => _network!;

    public IReadOnlyList<HostProcess> Silos { get; private set; } = [];

    public HostProcess Api { get; private set; } = null!;

    /// <summary>A client of the API's Unix socket; requests go to <see cref="ApiUrl"/>.</summary>
    public HttpClient Http { get; private set; } = null!;

    public Uri ApiUrl { get; } = new("http://api.partition.test");

    public string ClusterId { get; } = "partition-" + Guid.NewGuid().ToString("N")[..8];

    public string RedisSocket => Path.Combine(_directory, "redis.sock");

    public async ValueTask InitializeAsync()
    {
        var silo = ProcessStack.RequiredFile("SiloAssemblyPath", "build the Silo project");
        var api = ProcessStack.RequiredFile("ApiAssemblyPath", "build the Api project");
        Directory.CreateDirectory(_directory);
        _network = await NetworkNamespaces.CreateAsync(SiloCount);

        var redis = ExternalTool.Require("redis-server", "redis-server");
        Start("redis", Network.Hub, redis,
            ["--bind", NetworkNamespaces.HubStoreAddress, "--port", RedisPort.ToString(), "--unixsocket", RedisSocket, "--unixsocketperm", "700",
             // The store network exists only inside the test's namespaces: no password needed to accept its silos.
             "--protected-mode", "no",
             "--save", "", "--appendonly", "no"],
            new Dictionary<string, string>(), _directory);
        await Eventually.TrueAsync(() => File.Exists(RedisSocket), "redis-server to listen", TimeSpan.FromSeconds(30));

        var redisAddress = $"{NetworkNamespaces.HubStoreAddress}:{RedisPort}";
        var common = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // No telemetry backend is reachable from the namespaces, and none is under test here.
            ["OTEL_SDK_DISABLED"] = "true",
            ["Orleans__ClusterId"] = ClusterId,
            ["Orleans__ServiceId"] = ClusterId,
            ["Orleans__Clustering__ProviderType"] = "Redis",
            ["Orleans__Clustering__ConnectionString"] = redisAddress,
        };

        var silos = new List<HostProcess>();
        for (var i = 0; i < SiloCount; i++)
        {
            silos.Add(Start($"silo-{i}", Network.Member(i), "dotnet", [silo], new Dictionary<string, string>(common)
            {
                ["ASPNETCORE_URLS"] = "http://unix:" + SiloSocket(i),
                ["Orleans__Endpoints__AdvertisedIPAddress"] = NetworkNamespaces.ClusterAddress(i),
                ["Orleans__Endpoints__SiloPort"] = "11111",
                ["Orleans__Endpoints__GatewayPort"] = "30000",
                ["Orleans__GrainStorage__Default__ProviderType"] = "Redis",
                ["Orleans__GrainStorage__Default__ConnectionString"] = redisAddress,
            }, Path.GetDirectoryName(silo)!));
        }

        Silos = silos;
        for (var i = 0; i < SiloCount; i++)
        {
            using var client = UnixSocketClient(SiloSocket(i));
            await WaitUntilOkAsync(client, Silos[i], $"silo-{i} to be active");
        }

        Api = Start("api", Network.Hub, "dotnet", [api], new Dictionary<string, string>(common)
        {
            ["ASPNETCORE_URLS"] = "http://unix:" + ApiSocket,
            // No separate management port: health answers on the socket too.
            ["ManagementEndpoint__Url"] = "",
        }, Path.GetDirectoryName(api)!);
        Http = UnixSocketClient(ApiSocket);
        await WaitUntilOkAsync(Http, Api, "the API to connect to the cluster");
    }

    public async ValueTask DisposeAsync()
    {
        var failures = await HostProcess.DisposeAllAsync(Enumerable.Reverse(_processes));
        Http?.Dispose();
        failures.AddRange(await HostProcess.DisposeAllAsync([_network]));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory: best effort.
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("Stopping the partition stack failed.", failures);
        }
    }

    /// <summary>Runs <c>redis-cli</c> against the stack's Redis (through its Unix socket) and returns its output.</summary>
    public async Task<string> RedisAsync(params string[] arguments)
    {
        var (exitCode, output) = await ExternalTool.RunAsync("redis-cli", "redis-tools", _directory, ["-s", RedisSocket, .. arguments]);
        return exitCode == 0 ? output : throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} failed: {output}");
    }

    private string ApiSocket => Path.Combine(_directory, "api.sock");

    private string SiloSocket(int silo) => Path.Combine(_directory, $"silo-{silo}.sock");

    private static HttpClient UnixSocketClient(string path) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://api.partition.test"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static async Task WaitUntilOkAsync(HttpClient client, HostProcess process, string what)
    {
        try
        {
            await WaitForHealthAsync(client, process, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + process.RecentOutput, e);
        }
    }

    private static async Task WaitForHealthAsync(HttpClient client, HostProcess process, string what) =>
        await Eventually.TrueAsync(
            async () =>
            {
                Assert.False(process.HasExited, $"{process.Name} exited with {(process.HasExited ? process.ExitCode : 0)}\n{process.RecentOutput}");
                try
                {
                    using var response = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            what,
            TimeSpan.FromSeconds(90));

    private HostProcess Start(string name, string networkNamespace, string program, string[] arguments, Dictionary<string, string> environment, string workingDirectory)
    {
        var (fileName, inNamespace) = NetworkNamespaces.InNamespace(networkNamespace, program, arguments);
        var process = HostProcess.Start(name, fileName, inNamespace, environment, workingDirectory);
        _processes.Add(process);
        return process;
    }
}
