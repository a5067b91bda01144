using Observability.Grains.Interfaces;

namespace Observability.Grains;

[GenerateSerializer, Alias("OrleansObservability.UserState")]
public sealed class UserState
{
    [Id(0)]
    public UserProfile? Profile { get; set; }

    /// <summary>The user's orders, oldest first.</summary>
    [Id(1)]
    public List<Guid> OrderIds { get; set; } = [];
}

[GenerateSerializer, Alias("OrleansObservability.OrderState")]
public sealed class OrderState
{
    [Id(0)]
    public Order? Order { get; set; }
}
