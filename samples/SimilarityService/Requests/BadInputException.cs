namespace SimilarityService.Requests;

/// <summary>A request the service refuses with 400: <see cref="Field"/> names the part of the request, the message what was expected.</summary>
public sealed class BadInputException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
