using CathLab.Contracts.Client;
using CathLab.Station.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace CathLab.Console.Commands;

/// <summary>A channel to the station's control service with the caller's token on every call.</summary>
public sealed class StationClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Metadata _headers;

    public StationClient(StationTarget target)
    {
        _channel = LiveFeedObserver.CreateChannel(target.Server, target.AcceptAnyCertificate);
        _headers = [new Metadata.Entry("authorization", "Bearer " + target.Token)];
        Control = new StationControl.StationControlClient(_channel);
        Calibration = new DetectorCalibration.DetectorCalibrationClient(_channel);
        Invitations = new Invitations.InvitationsClient(_channel);
    }

    public StationControl.StationControlClient Control { get; }

    public DetectorCalibration.DetectorCalibrationClient Calibration { get; }

    public Invitations.InvitationsClient Invitations { get; }

    public CallOptions Call(CancellationToken cancellation, TimeSpan? deadline = null) =>
        new(_headers, deadline is { } d ? DateTime.UtcNow + d : null, cancellation);

    public void Dispose() => _channel.Dispose();
}
