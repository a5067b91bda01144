namespace Observability.Grains;

/// <summary>
/// The grain storage the grains persist through. Its provider is configuration
/// (<c>Orleans:GrainStorage:Default:ProviderType</c> = <c>Memory</c>, <c>Redis</c>, ...); the simulated database
/// sits in front of whichever provider is configured.
/// </summary>
public static class StorageNames
{
    public const string Default = "Default";

    /// <summary>State name of users; it is also the simulated database's collection name.</summary>
    public const string Users = "users";

    /// <summary>State name of orders; it is also the simulated database's collection name.</summary>
    public const string Orders = "orders";

    /// <summary>State name of users' order statistics; also the simulated database's collection name.</summary>
    public const string Stats = "stats";
}
