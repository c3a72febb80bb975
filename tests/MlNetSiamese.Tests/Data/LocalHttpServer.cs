using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MlNetSiamese.Tests.Data;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 for download tests: serves byte arrays, honours (or ignores) Range requests,
/// can cut a response short after announcing its full length. One request per connection. It stops itself after
/// two minutes at the latest, and on Dispose.
/// </summary>
public sealed class LocalHttpServer : IDisposable
{
    private sealed record Route(byte[] Content, int? CutAfter, bool HonourRange);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
    private readonly ConcurrentDictionary<string, Route> _routes = new();
    private readonly Task _loop;

    public LocalHttpServer()
    {
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(AcceptLoop);
    }

    public Uri BaseUrl { get; }

    /// <summary>Request lines and Range headers, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Serves <paramref name="content"/> at <paramref name="path"/>; with <paramref name="cutAfter"/> the
    /// connection closes after that many body bytes although Content-Length announces the whole.</summary>
    public Uri Serve(string path, byte[] content, int? cutAfter = null, bool honourRange = true)
    {
        _routes[path.TrimStart('/')] = new Route(content, cutAfter, honourRange);
        return new Uri(BaseUrl, path.TrimStart('/'));
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(20));
                var stream = client.GetStream();
                string head = await ReadHead(stream, timeout.Token);
                var lines = head.Split("\r\n");
                string target = lines[0].Split(' ')[1].TrimStart('/');
                string? range = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))?[6..].Trim();
                Requests.Enqueue(lines[0] + (range == null ? "" : " Range: " + range));

                if (!_routes.TryGetValue(target, out var route))
                {
                    await Write(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", Array.Empty<byte>(), timeout.Token);
                    return;
                }
                long from = 0;
                if (range != null && route.HonourRange && range.StartsWith("bytes=", StringComparison.Ordinal))
                    from = long.Parse(range[6..].Split('-')[0]);
                if (from >= route.Content.Length && from > 0)
                {
                    await Write(stream, $"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{route.Content.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        Array.Empty<byte>(), timeout.Token);
                    return;
                }
                var body = route.Content.AsMemory((int)from);
                string status = from > 0
                    ? $"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{route.Content.Length - 1}/{route.Content.Length}\r\n"
                    : "HTTP/1.1 200 OK\r\n";
                string header = status + $"Content-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                var sent = route.CutAfter is int cut && cut < body.Length ? body[..cut] : body;
                await Write(stream, header, sent, timeout.Token);
            }
            catch (Exception)
            {
                // A test server: a broken connection is the client's business.
            }
        }
    }

    private static async Task<string> ReadHead(NetworkStream stream, CancellationToken token)
    {
        var buffer = new byte[8192];
        int length = 0;
        while (length < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(length), token);
            if (n == 0)
                break;
            length += n;
            string text = Encoding.ASCII.GetString(buffer, 0, length);
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
                return text[..end];
        }
        throw new IOException("bad request head");
    }

    private static async Task Write(NetworkStream stream, string header, ReadOnlyMemory<byte> body, CancellationToken token)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header), token);
        await stream.WriteAsync(body, token);
        await stream.FlushAsync(token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
