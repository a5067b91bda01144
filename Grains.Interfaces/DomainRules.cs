using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Observability.Grains.Interfaces;

/// <summary>
/// The rules a valid user id and order share between the API (which answers 400) and the grains (which refuse to
/// store invalid data even when called directly).
/// </summary>
public static partial class DomainRules
{
    public const int MaxUserIdLength = 64;
    public const int MaxDisplayNameLength = 100;
    public const int MaxEmailLength = 254;
    public const int MaxOrderLines = 50;
    public const int MaxSkuLength = 32;
    public const int MaxQuantity = 1_000;
    public const decimal MaxUnitPrice = 1_000_000m;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex UserIdPattern();

    [GeneratedRegex("^[A-Za-z0-9-]{1,32}$")]
    private static partial Regex SkuPattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    public static bool IsValidUserId(string? userId) => userId is not null && UserIdPattern().IsMatch(userId);

    public static IEnumerable<(string Field, string Error)> ValidateProfile(string? displayName, string? email)
    {
        if (string.IsNullOrWhiteSpace(displayName))
        {
            yield return ("displayName", "The display name is required.");
        }
        else if (displayName.Length > MaxDisplayNameLength)
        {
            yield return ("displayName", $"The display name must be at most {MaxDisplayNameLength} characters.");
        }

        if (string.IsNullOrWhiteSpace(email))
        {
            yield return ("email", "The email is required.");
        }
        else if (email.Length > MaxEmailLength || !EmailPattern().IsMatch(email))
        {
            yield return ("email", $"The email must look like name@example.com and be at most {MaxEmailLength} characters.");
        }
    }

    public static IEnumerable<(string Field, string Error)> ValidateLines(IReadOnlyList<OrderLine>? lines)
    {
        if (lines is null || lines.Count == 0)
        {
            yield return ("lines", "An order needs at least one line.");
            yield break;
        }

        if (lines.Count > MaxOrderLines)
        {
            yield return ("lines", $"An order has at most {MaxOrderLines} lines.");
            yield break;
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line is null)
            {
                yield return ($"lines[{i}]", "The line is required.");
                continue;
            }

            if (line.Sku is null || !SkuPattern().IsMatch(line.Sku))
            {
                yield return ($"lines[{i}].sku", $"The SKU is 1-{MaxSkuLength} letters, digits or dashes.");
            }

            if (line.Quantity is <= 0 or > MaxQuantity)
            {
                yield return ($"lines[{i}].quantity", $"The quantity must be between 1 and {MaxQuantity}.");
            }

            if (line.UnitPrice is <= 0 or > MaxUnitPrice || decimal.Round(line.UnitPrice, 2) != line.UnitPrice)
            {
                yield return ($"lines[{i}].unitPrice", $"The unit price must be greater than 0, at most {MaxUnitPrice}, with at most 2 decimals.");
            }
        }
    }

    public static IEnumerable<(string Field, string Error)> ValidateLines(ImmutableArray<OrderLine> lines) =>
        ValidateLines(lines.IsDefault ? null : (IReadOnlyList<OrderLine>)lines);
}
