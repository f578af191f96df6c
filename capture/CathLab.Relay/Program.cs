using CathLab.LiveFeed.Hosting;
using CathLab.Relay;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// cathlab-relay: serves a station's live exams to observers near it, from the NATS broker the station publishes to
// (docs/relay.md). Exit codes: 0 stopped, 2 configuration refused.
var builder = WebApplication.CreateBuilder(args);
var options = builder.Configuration.GetSection(RelayOptions.Section).Get<RelayOptions>() ?? new RelayOptions();
var problems = options.Problems().ToList();
if (problems.Count > 0)
{
    foreach (string problem in problems) Console.Error.WriteLine($"cathlab-relay: {problem}");
    return 2;
}
builder.WebHost.ConfigureKestrel(k =>
{
    var grpc = new Uri(options.GrpcUrl);
    var web = new Uri(options.WebUrl);
    k.Listen(System.Net.IPAddress.Parse(grpc.Host), grpc.Port, l => l.Protocols = HttpProtocols.Http2);
    k.Listen(System.Net.IPAddress.Parse(web.Host), web.Port, l => l.Protocols = HttpProtocols.Http1);
});
builder.Services.AddCathLabLiveFeed(options.ToLiveFeed());
var app = builder.Build();
app.MapCathLabLiveFeed();
app.MapRelayWebApplication();
await app.RunAsync();
return 0;
