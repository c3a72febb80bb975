namespace MlNetSiamese;

/// <summary>A data-set download failed: unreachable address (offline), HTTP error, interrupted transfer (the partial
/// file is kept for resuming) or checksum mismatch (nothing is left in place).</summary>
public sealed class DataDownloadException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the address, and what to do.</param>
    /// <param name="url">The address that was being fetched.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public DataDownloadException(string message, Uri url, Exception? inner = null) : base(message, inner) => Url = url;

    /// <summary>The address that was being fetched.</summary>
    public Uri Url { get; }
}
