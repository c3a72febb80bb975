using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using MlNetSiamese.Data;

namespace MlNetSiamese;

/// <summary>
/// Downloads data-set files safely: each file is written to <c>&lt;name&gt;.partial</c> beside its destination,
/// verified against its published checksum, and only then renamed into place, so a half-written or corrupted file
/// never appears under the real name.
/// </summary>
/// <remarks>
/// <para>Interrupted transfers keep the <c>.partial</c> file, and the next call resumes it with an HTTP range request;
/// a server that ignores ranges makes it restart from the beginning. When a resumed file fails its checksum, the
/// download restarts once from scratch. A checksum mismatch deletes the partial file and throws.</para>
/// <para>An unreachable address fails fast (connect timeout 15 s) with a <see cref="DataDownloadException"/> naming
/// the address and the offline alternatives. Addresses are parameters (<see cref="DataManifests"/>), so tests and
/// mirrors can point elsewhere.</para>
/// </remarks>
public sealed class DataDownloader : IDisposable
{
    /// <summary>What to do without internet for Fashion-MNIST.</summary>
    public const string FashionMnistOfflineHint =
        "Offline alternatives: install the Debian/Ubuntu package 'dataset-fashion-mnist' (apt-get install dataset-fashion-mnist, " +
        "files in /usr/share/datasets/fashion-mnist), or pass --data <folder> (or set MLNETSIAMESE_DATA) to a folder holding " +
        "train-images-idx3-ubyte.gz and the three other files copied from a machine with internet.";

    /// <summary>What to do without internet for CIFAR-10.</summary>
    public const string Cifar10OfflineHint =
        "Offline alternatives: copy cifar-10-binary.tar.gz (or its extracted cifar-10-batches-bin folder) from a machine with internet " +
        "and pass that folder with --data, or use CIFAR-10 (or your own photos) as an image folder root/<class>/*.jpg with LoadImageFolder.";

    private readonly HttpClient _client;
    private readonly bool _ownsClient;

    /// <summary>Creates a downloader.</summary>
    /// <param name="httpClient">The client to use; null creates one (15 s connect timeout) that is disposed with this object.</param>
    public DataDownloader(HttpClient? httpClient = null)
    {
        _ownsClient = httpClient == null;
        _client = httpClient ?? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) })
        {
            Timeout = TimeSpan.FromMinutes(30),
        };
    }

    /// <summary>Receives one line per notable step (resume, restart, file in place); null for silence.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>
    /// Downloads the four Fashion-MNIST files into <paramref name="directory"/> (files already there with the right
    /// checksum are kept) and returns the folder, ready for <see cref="FashionMnist.Load"/>.
    /// </summary>
    /// <param name="directory">Destination folder, created if needed.</param>
    /// <param name="manifest">The files to fetch; null for <see cref="DataManifests.FashionMnist"/> (official addresses).</param>
    /// <param name="cancellationToken">Cancels the download (the partial file is kept).</param>
    public async Task<string> DownloadFashionMnistAsync(string directory, IReadOnlyList<DownloadItem>? manifest = null,
        CancellationToken cancellationToken = default)
    {
        foreach (var item in manifest ?? DataManifests.FashionMnist())
            await DownloadAsync(item, directory, FashionMnistOfflineHint, cancellationToken).ConfigureAwait(false);
        return directory;
    }

    /// <summary>
    /// Downloads and verifies <c>cifar-10-binary.tar.gz</c>, extracts its six batch files and <c>batches.meta.txt</c>
    /// into <c>&lt;directory&gt;/cifar-10-batches-bin</c> (through a temporary folder renamed into place), deletes the
    /// archive, and returns the extracted folder, ready for <see cref="Cifar10BinaryReader.Load"/>. When that folder is
    /// already complete, nothing is downloaded.
    /// </summary>
    /// <param name="directory">Destination folder, created if needed.</param>
    /// <param name="archive">The archive to fetch; null for <see cref="DataManifests.Cifar10Binary"/> (official address).</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    public async Task<string> DownloadCifar10BinaryAsync(string directory, DownloadItem? archive = null,
        CancellationToken cancellationToken = default)
    {
        string target = Path.Combine(directory, Cifar10BinaryReader.ArchiveFolderName);
        if (Cifar10Archive.IsComplete(target))
            return target;
        string archivePath = await DownloadAsync(archive ?? DataManifests.Cifar10Binary(), directory, Cifar10OfflineHint, cancellationToken)
            .ConfigureAwait(false);
        Cifar10Archive.Extract(archivePath, target);
        File.Delete(archivePath);
        Log?.Invoke($"Extracted CIFAR-10 binary release to '{target}'.");
        return target;
    }

    /// <summary>
    /// Downloads one file into <paramref name="directory"/> through <c>&lt;name&gt;.partial</c>, verifies it and moves it
    /// into place. A file already in place with the right checksum is kept without any request.
    /// </summary>
    /// <param name="item">What to fetch and its checksum.</param>
    /// <param name="directory">Destination folder, created if needed.</param>
    /// <param name="offlineHint">Appended to the error when the address cannot be reached.</param>
    /// <param name="cancellationToken">Cancels the download (the partial file is kept).</param>
    /// <returns>The path of the verified file.</returns>
    /// <exception cref="DataDownloadException">Unreachable address, HTTP error, interrupted transfer or checksum mismatch.</exception>
    public async Task<string> DownloadAsync(DownloadItem item, string directory, string? offlineHint = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(directory);
        if (item.Md5 == null && item.Sha256 == null)
            throw new ArgumentException($"No checksum given for {item.Url}: refusing to download unverifiable data.", nameof(item));
        if (item.FileName != Path.GetFileName(item.FileName) || item.FileName.Length == 0)
            throw new ArgumentException($"'{item.FileName}' is not a plain file name.", nameof(item));

        Directory.CreateDirectory(directory);
        string final = Path.Combine(directory, item.FileName);
        string partial = final + ".partial";
        if (File.Exists(final) && Verify(final, item, out _))
        {
            Log?.Invoke($"'{final}' is already in place and verified.");
            return final;
        }

        for (int attempt = 0; ; attempt++)
        {
            long resumedFrom = await FetchAsync(item.Url, partial, offlineHint, cancellationToken).ConfigureAwait(false);
            if (Verify(partial, item, out string actual))
            {
                File.Move(partial, final, overwrite: true);
                Log?.Invoke($"Downloaded and verified '{final}'.");
                return final;
            }
            File.Delete(partial);
            if (resumedFrom > 0 && attempt == 0)
            {
                Log?.Invoke($"Resumed download of {item.Url} failed its checksum; restarting from the beginning.");
                continue;
            }
            throw new DataDownloadException(
                $"Checksum mismatch for {item.Url}: expected {Expected(item)}, got {actual}. The download was deleted and nothing " +
                $"was written to '{final}'. The server may serve a different or corrupted file; try again or use another mirror.", item.Url);
        }
    }

    /// <summary>True when the file at <paramref name="path"/> has the checksum(s) of <paramref name="item"/>.</summary>
    /// <param name="path">The file to check.</param>
    /// <param name="item">The expected checksums.</param>
    public static bool Verify(string path, DownloadItem item) => Verify(path, item, out _);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsClient)
            _client.Dispose();
    }

    /// <summary>Fetches <paramref name="url"/> into <paramref name="partial"/>, resuming it when it exists; returns the
    /// offset it resumed from (0 for a fresh download).</summary>
    private async Task<long> FetchAsync(Uri url, string partial, string? offlineHint, CancellationToken cancellationToken)
    {
        long existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (existing > 0)
            request.Headers.Range = new RangeHeaderValue(existing, null);

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new DataDownloadException(
                $"Cannot download {url}: {e.Message}. {offlineHint ?? "Without internet, copy the file by hand."}".TrimEnd(), url, e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0)
            {
                File.Delete(partial);
                Log?.Invoke($"Server refused to resume {url}; restarting from the beginning.");
                return await FetchAsync(url, partial, offlineHint, cancellationToken).ConfigureAwait(false);
            }
            if (!response.IsSuccessStatusCode)
                throw new DataDownloadException($"Cannot download {url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}.", url);

            bool resume = existing > 0 && response.StatusCode == HttpStatusCode.PartialContent
                          && response.Content.Headers.ContentRange?.From == existing;
            if (existing > 0)
                Log?.Invoke(resume ? $"Resuming {url} from byte {existing}." : $"Server does not resume {url}; restarting from the beginning.");
            long startAt = resume ? existing : 0;
            long? expectedLength = response.Content.Headers.ContentLength;

            await using var file = new FileStream(partial, resume ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await body.CopyToAsync(file, 1 << 16, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException || e is HttpRequestException)
            {
                await file.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                throw Interrupted(url, partial, file.Length, e);
            }
            file.Flush(flushToDisk: true);
            if (expectedLength is long length && file.Length != startAt + length)
                throw Interrupted(url, partial, file.Length, null);
            return startAt;
        }
    }

    private static DataDownloadException Interrupted(Uri url, string partial, long length, Exception? inner)
        => new($"Download of {url} was interrupted after {length} bytes{(inner == null ? "" : $" ({inner.Message})")}. " +
               $"The partial file '{partial}' was kept: run the download again to resume it.", url, inner);

    private static bool Verify(string path, DownloadItem item, out string actual)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var parts = new List<string>();
        bool ok = true;
        if (item.Md5 != null)
        {
            string md5 = Convert.ToHexStringLower(MD5.HashData(stream));
            parts.Add("md5 " + md5);
            ok &= string.Equals(md5, item.Md5, StringComparison.OrdinalIgnoreCase);
            stream.Position = 0;
        }
        if (item.Sha256 != null)
        {
            string sha = Convert.ToHexStringLower(SHA256.HashData(stream));
            parts.Add("sha256 " + sha);
            ok &= string.Equals(sha, item.Sha256, StringComparison.OrdinalIgnoreCase);
        }
        actual = string.Join(", ", parts);
        return ok;
    }

    private static string Expected(DownloadItem item)
        => string.Join(", ", new[] { item.Md5 == null ? null : "md5 " + item.Md5, item.Sha256 == null ? null : "sha256 " + item.Sha256 }
            .Where(s => s != null));
}
