using System.Globalization;

namespace MlNetSiamese;

/// <summary>The one way options are refused: an <see cref="ArgumentOutOfRangeException"/> naming the option, its value and what was expected.</summary>
internal static class OptionCheck
{
    public static void That(bool ok, string option, object? value, string expected)
    {
        if (ok) return;
        string text = value switch { null => "null", IFormattable f => f.ToString(null, CultureInfo.InvariantCulture), _ => value.ToString() ?? "null" };
        throw new ArgumentOutOfRangeException(option, value, $"{option} must be {expected}; got {text}.");
    }
}
