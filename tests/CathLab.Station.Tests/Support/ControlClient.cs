using CathLab.Contracts.Client;
using Grpc.Core;
using Grpc.Net.Client;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Tests.Support;

/// <summary>A plain gRPC client of the control service (the console's generated stub) with a chosen token, or none.</summary>
internal sealed class ControlClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Metadata _headers = [];

    public ControlClient(Uri address, string? token)
    {
        _channel = LiveFeedObserver.CreateChannel(address);
        if (token is not null) _headers.Add("authorization", "Bearer " + token);
        Stub = new Proto.StationControl.StationControlClient(_channel);
    }

    public Proto.StationControl.StationControlClient Stub { get; }

    public Metadata Headers => _headers;

    public void Dispose() => _channel.Dispose();
}
