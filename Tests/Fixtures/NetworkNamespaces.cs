namespace Observability.Tests.Fixtures;

/// <summary>
/// A private network for a partition test, made of Linux network namespaces (root only): a hub namespace holding two
/// bridges, the cluster network (silo to silo, client to gateway) and the store network (silo to Redis), and one
/// namespace per member, joined to each bridge by a veth pair. Cutting a member's cluster link partitions it from the
/// others while its store link stays up. Every address exists only inside these namespaces, and disposal deletes
/// them all (the processes in them must be stopped first, or a namespace lives on until they exit).
/// </summary>
public sealed class NetworkNamespaces : IAsyncDisposable
{
    private const string ClusterBridge = "br-cluster";
    private const string StoreBridge = "br-store";
    private readonly string _prefix = "oo" + Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _created = [];

    private NetworkNamespaces()
    {
    }

    /// <summary>The namespace of the bridges, for the processes every member reaches (Redis, the API).</summary>
    public string Hub => _prefix + "-hub";

    /// <summary>The hub's address on the cluster network.</summary>
    public static string HubClusterAddress => "10.200.1.1";

    /// <summary>The hub's address on the store network.</summary>
    public static string HubStoreAddress => "10.200.2.1";

    public static async Task<NetworkNamespaces> CreateAsync(int members)
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("The partition tests create network namespaces and need root: run the test suite as root, as .ci/run does.");
        }

        var network = new NetworkNamespaces();
        try
        {
            await network.AddNamespaceAsync(network.Hub);
            foreach (var (bridge, address) in new[] { (ClusterBridge, HubClusterAddress), (StoreBridge, HubStoreAddress) })
            {
                await IpAsync("-n", network.Hub, "link", "add", bridge, "type", "bridge");
                await IpAsync("-n", network.Hub, "addr", "add", address + "/24", "dev", bridge);
                await IpAsync("-n", network.Hub, "link", "set", bridge, "up");
            }

            for (var member = 0; member < members; member++)
            {
                var name = network.Member(member);
                await network.AddNamespaceAsync(name);
                await network.JoinAsync(name, "cluster", ClusterBridge, ClusterLink(member), ClusterAddress(member));
                await network.JoinAsync(name, "store", StoreBridge, StoreLink(member), StoreAddress(member));
            }

            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>The namespace of member <paramref name="member"/>.</summary>
    public string Member(int member) => $"{_prefix}-m{member}";

    /// <summary>Member <paramref name="member"/>'s address on the cluster network.</summary>
    public static string ClusterAddress(int member) => $"10.200.1.{10 + member}";

    /// <summary>Member <paramref name="member"/>'s address on the store network.</summary>
    public static string StoreAddress(int member) => $"10.200.2.{10 + member}";

    /// <summary>Takes member <paramref name="member"/>'s cluster link down: its packets to and from the others are dropped.</summary>
    public Task CutAsync(int member) => IpAsync("-n", Hub, "link", "set", ClusterLink(member), "down");

    /// <summary>Brings member <paramref name="member"/>'s cluster link back up.</summary>
    public Task RestoreAsync(int member) => IpAsync("-n", Hub, "link", "set", ClusterLink(member), "up");

    /// <summary>The command line that runs <paramref name="program"/> inside a namespace (<c>ip netns exec</c> execs it: same process).</summary>
    public static (string FileName, string[] Arguments) InNamespace(string networkNamespace, string program, params string[] arguments) =>
        (ExternalTool.Require("ip", "iproute2"), ["netns", "exec", networkNamespace, program, .. arguments]);

    public async ValueTask DisposeAsync()
    {
        // Deleting a namespace deletes its ends of the veth pairs, and with them the peers in the hub.
        var failures = new List<string>();
        foreach (var name in Enumerable.Reverse(_created))
        {
            var (exitCode, output) = await ExternalTool.RunAsync("ip", "iproute2", Path.GetTempPath(), "netns", "delete", name);
            if (exitCode != 0)
            {
                failures.Add($"{name}: {output}");
            }
        }

        _created.Clear();
        if (failures.Count > 0)
        {
            throw new InvalidOperationException("Deleting the test's network namespaces failed: " + string.Join("; ", failures));
        }
    }

    // Interface names are at most 15 characters and per namespace: the hub's end is named after the member.
    private static string ClusterLink(int member) => $"c{member}";

    private static string StoreLink(int member) => $"s{member}";

    private async Task AddNamespaceAsync(string name)
    {
        await IpAsync("netns", "add", name);
        _created.Add(name);
        await IpAsync("-n", name, "link", "set", "lo", "up");
    }

    private async Task JoinAsync(string name, string memberEnd, string bridge, string hubEnd, string address)
    {
        await IpAsync("link", "add", memberEnd, "netns", name, "type", "veth", "peer", "name", hubEnd, "netns", Hub);
        await IpAsync("-n", Hub, "link", "set", hubEnd, "master", bridge);
        await IpAsync("-n", Hub, "link", "set", hubEnd, "up");
        await IpAsync("-n", name, "addr", "add", address + "/24", "dev", memberEnd);
        await IpAsync("-n", name, "link", "set", memberEnd, "up");
    }

    private static async Task IpAsync(params string[] arguments)
    {
        var (exitCode, output) = await ExternalTool.RunAsync("ip", "iproute2", Path.GetTempPath(), arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({exitCode}): {output}");
        }
    }
}
