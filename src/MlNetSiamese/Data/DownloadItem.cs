namespace MlNetSiamese;

/// <summary>One file to download: where it goes, where it comes from, and the published checksum of its bytes
/// (as downloaded, i.e. of the archive when it is an archive). At least one checksum is required.</summary>
/// <param name="FileName">File name in the destination folder.</param>
/// <param name="Url">Address to fetch it from.</param>
/// <param name="Md5">Expected MD5, lower- or upper-case hex; null when unknown.</param>
/// <param name="Sha256">Expected SHA-256, hex; null when unknown.</param>
public sealed record DownloadItem(string FileName, Uri Url, string? Md5 = null, string? Sha256 = null);
