using SimilarityService;
using SimilarityService.Endpoints;
using SimilarityService.Model;
using SimilarityService.Requests;
using SimilarityService.Search;

// A stateless similarity service over a model.zip written by `mlnet-siamese train` (README: Serving: the similarity service).

// glibc's own malloc settings unless the operator chose: the library's C heap tuning (MLNETSIAMESE_NATIVE_HEAP) keeps up to
// 256 MiB of freed memory per malloc arena, which pays for training's large batches but made a server with many request
// threads grow from 312 to 500 MiB over six 30 s runs (295-345 MiB with glibc's settings; bench/RESULTS.md, 2026-11-30).
if (Environment.GetEnvironmentVariable("MLNETSIAMESE_NATIVE_HEAP") == null)
    Environment.SetEnvironmentVariable("MLNETSIAMESE_NATIVE_HEAP", "default");
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton(services =>
{
    var settings = new ServiceSettings();
    services.GetRequiredService<IConfiguration>().GetSection(ServiceSettings.Section).Bind(settings);
    if (settings.Problems() is { Count: > 0 } problems) throw new InvalidOperationException("Bad settings: " + string.Join(" ", problems));
    return settings;
});
builder.Services.AddSingleton(services =>
{
    var settings = services.GetRequiredService<ServiceSettings>();
    // Before the first model: one libtorch thread per request suits many requests at once (issue #21: 1.4x the
    // requests/s and half the p99 of libtorch's one-thread-per-core default, which keeps a pool thread spinning).
    if (settings.TorchThreads > 0) MlNetSiamese.TorchThreads.SetIntraOp(settings.TorchThreads);
    var model = ModelLoader.Load(settings.ModelPath, settings.TorchThreads);   // a service without its model refuses to start, naming the file
    services.GetRequiredService<ILogger<ModelHolder>>().LogInformation(
        "Serving model {Id} from '{Path}': {Dimension}-dimensional embeddings of {Input}; threshold {Threshold}; libtorch threads {Threads}",
        model.Id, model.Path, model.Dimension, model.InputDescription, model.Threshold, MlNetSiamese.TorchThreads.IntraOp);
    return new ModelHolder(model);
});
builder.Services.AddSingleton<ISimilarityStore>(SimilarityStores.Create);
builder.Services.AddHostedService<ModelWatcher>();

var app = builder.Build();
app.Use(async (context, next) =>
{
    try
    {
        await next(context);
    }
    catch (BadInputException e) when (!context.Response.HasStarted)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsJsonAsync(new ErrorResponse(e.Field, e.Message));
    }
});
EmbedEndpoint.Map(app);
CompareEndpoint.Map(app);
SearchEndpoint.Map(app);
HealthEndpoint.Map(app);
app.Run();

/// <summary>The entry point, public for the tests' WebApplicationFactory.</summary>
public partial class Program;
