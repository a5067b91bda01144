using System.Diagnostics.Metrics;
using Observability.Grains.Interfaces;

namespace Observability.Grains.Telemetry;

/// <summary>Business metrics: what the shop sells, next to how its grains perform.</summary>
public sealed class OrderMetrics
{
    public const string MeterName = "OrleansObservability.Orders";
    public const string OrdersPlaced = "orders.placed";
    public const string OrderValue = "orders.value";
    public const string OrderLines = "orders.lines";

    private readonly Counter<long> _ordersPlaced;
    private readonly Histogram<double> _orderValue;
    private readonly Histogram<int> _orderLines;

    public OrderMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _ordersPlaced = meter.CreateCounter<long>(OrdersPlaced, unit: "{order}", description: "Orders placed (a retried placement is counted once).");
        _orderValue = meter.CreateHistogram(
            OrderValue,
            unit: "{currency_unit}",
            description: "Total value of each placed order.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000] });
        _orderLines = meter.CreateHistogram(
            OrderLines,
            unit: "{line}",
            description: "Number of lines in each placed order.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 5, 10, 20, 50] });
    }

    public void OrderPlaced(Order order)
    {
        _ordersPlaced.Add(1);
        _orderValue.Record((double)order.Total);
        _orderLines.Record(order.Lines.Length);
    }
}
