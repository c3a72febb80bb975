using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MlNetSiamese.Service.Tests;

/// <summary>samples/SimilarityService in this process (TestServer) over one model folder, polling it every 100 ms.</summary>
public sealed class ServiceApp : IDisposable
{
    private readonly WebApplicationFactory<Program> factory;

    public ServiceApp(string modelDir, params (string Key, string Value)[] settings)
    {
        ModelPath = Path.Combine(modelDir, "model.zip");
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Similarity:ModelPath", ModelPath);
            b.UseSetting("Similarity:ReloadPollMilliseconds", "100");
            foreach (var (key, value) in settings) b.UseSetting(key, value);
        });
        Client = factory.CreateClient();
    }

    public string ModelPath { get; }
    public HttpClient Client { get; }

    public async Task<JsonElement> HealthAsync()
    {
        var response = await Client.GetAsync("/health");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string> ModelIdAsync() => (await HealthAsync()).GetProperty("model").GetProperty("id").GetString()!;

    /// <summary>Polls /health until <paramref name="done"/> holds (true) or <paramref name="seconds"/> pass (false).</summary>
    public async Task<bool> WaitForAsync(Func<JsonElement, bool> done, double seconds = 15)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            if (done(await HealthAsync())) return true;
            await Task.Delay(50);
        }
        return false;
    }

    public void Dispose()
    {
        Client.Dispose();
        factory.Dispose();
    }
}
