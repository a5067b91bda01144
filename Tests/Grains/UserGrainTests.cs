using System.Collections.Immutable;
using Observability.Grains.Interfaces;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class UserGrainTests(ClusterFixture fixture)
{
    private static readonly ImmutableArray<OrderLine> TwoLines = [new("SKU-1", 2, 9.99m), new("SKU-2", 1, 100m)];

    [Fact]
    public async Task Profile_is_absent_until_created_then_updates_keep_creation_time()
    {
        var user = fixture.Grains.GetGrain<IUserGrain>(NewUserId());

        Assert.Null(await user.GetProfileAsync());

        var created = await user.UpsertProfileAsync(new UserProfileDraft("Ada", "ada@example.com"));
        var updated = await user.UpsertProfileAsync(new UserProfileDraft("Ada L.", "ada@example.org"));

        Assert.True(created.Created);
        Assert.False(updated.Created);
        Assert.Equal("Ada L.", updated.Profile.DisplayName);
        Assert.Equal(created.Profile.CreatedAt, updated.Profile.CreatedAt);
        Assert.Equal(updated.Profile, await user.GetProfileAsync());
    }

    [Fact]
    public async Task Placing_an_order_stores_it_in_the_order_grain_and_lists_it_for_the_user()
    {
        var userId = NewUserId();
        var user = await CreateUserAsync(userId);

        var result = await user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), TwoLines));

        Assert.Equal(PlaceOrderStatus.Placed, result.Status);
        var order = Assert.IsType<Order>(result.Order);
        Assert.Equal(userId, order.UserId);
        Assert.Equal(119.98m, order.Total);
        Assert.Equal(order, await fixture.Grains.GetGrain<IOrderGrain>(order.OrderId).GetAsync());
        Assert.Equal([order], await user.ListOrdersAsync());
    }

    [Fact]
    public async Task Listing_fans_out_to_every_order_of_the_user()
    {
        var user = await CreateUserAsync(NewUserId());
        var placed = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var result = await user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), [new OrderLine($"SKU-{i}", i + 1, 1m)]));
            placed.Add(result.Order!.OrderId);
        }

        var orders = await user.ListOrdersAsync();

        Assert.Equal(placed.Order(), orders!.Select(o => o.OrderId).Order());
    }

    [Fact]
    public async Task Orders_for_an_unknown_user_are_refused()
    {
        var user = fixture.Grains.GetGrain<IUserGrain>(NewUserId());

        var result = await user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), TwoLines));

        Assert.Equal(PlaceOrderStatus.UserNotFound, result.Status);
        Assert.Null(await user.ListOrdersAsync());
    }

    [Fact]
    public async Task Placing_the_same_order_id_twice_creates_one_order()
    {
        var user = await CreateUserAsync(NewUserId());
        var draft = new OrderDraft(Guid.NewGuid(), TwoLines);

        var first = await user.PlaceOrderAsync(draft);
        var retry = await user.PlaceOrderAsync(draft);

        Assert.Equal(PlaceOrderStatus.Placed, first.Status);
        Assert.Equal(PlaceOrderStatus.AlreadyPlaced, retry.Status);
        Assert.Equal(first.Order, retry.Order);
        Assert.Single((await user.ListOrdersAsync())!);
    }

    [Fact]
    public async Task An_order_id_owned_by_another_user_is_not_taken_over()
    {
        var draft = new OrderDraft(Guid.NewGuid(), TwoLines);
        var owner = await CreateUserAsync(NewUserId());
        var other = await CreateUserAsync(NewUserId());

        await owner.PlaceOrderAsync(draft);
        var result = await other.PlaceOrderAsync(draft);

        Assert.Equal(PlaceOrderStatus.OrderIdTaken, result.Status);
        Assert.Empty((await other.ListOrdersAsync())!);
    }

    [Theory]
    [InlineData("", 1, 1.0)]
    [InlineData("SKU 1", 1, 1.0)]
    [InlineData("SKU-1", 0, 1.0)]
    [InlineData("SKU-1", 1, 0.0)]
    [InlineData("SKU-1", 1, 0.001)]
    public async Task Grains_refuse_invalid_orders_even_when_called_directly(string sku, int quantity, double unitPrice)
    {
        var user = await CreateUserAsync(NewUserId());

        await Assert.ThrowsAsync<ArgumentException>(() =>
            user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), [new OrderLine(sku, quantity, (decimal)unitPrice)])));
        Assert.Empty((await user.ListOrdersAsync())!);
    }

    [Fact]
    public async Task State_survives_deactivation_and_is_read_back_from_the_database()
    {
        var userId = NewUserId();
        var user = await CreateUserAsync(userId);
        var placed = await user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), TwoLines));
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);

        await management.ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(
            async () => !(await management.GetActiveGrains(GrainType.Create("user"))).Contains(user.GetGrainId()),
            "the user grain to be deactivated");

        var profile = await user.GetProfileAsync();
        var orders = await user.ListOrdersAsync();
        Assert.Equal(userId, profile!.UserId);
        Assert.Equal([placed.Order!], orders);
    }

    private async Task<IUserGrain> CreateUserAsync(string userId)
    {
        var user = fixture.Grains.GetGrain<IUserGrain>(userId);
        await user.UpsertProfileAsync(new UserProfileDraft("Test User", $"{userId}@example.com"));
        return user;
    }

    private static string NewUserId() => "u-" + Guid.NewGuid().ToString("N");
}
