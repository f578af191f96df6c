using System.Security.Cryptography;
using System.Text;
using CathLab.Security.Audit;

namespace CathLab.Discussion;

/// <summary>The station's discussions, one coordinator per exam, made when the first participant joins; each keeps its
/// journal at <c>{folder}/{exam}.sqlite</c> and replays it when made again after a restart.</summary>
public sealed class DiscussionRegistry(string folder, IRunFrameCounts runs, IAuditLog audit, TimeProvider clock, IFrameCapture? capture = null) : IDisposable
{
    private readonly Dictionary<string, DiscussionCoordinator> _open = [];
    private readonly Lock _gate = new();

    public DiscussionCoordinator For(string examId)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(examId, out var coordinator))
            {
                coordinator = new DiscussionCoordinator(examId, DiscussionJournal.Open(JournalPath(examId)), runs, audit, clock, capture);
                _open[examId] = coordinator;
            }
            return coordinator;
        }
    }

    /// <summary>A file name from the exam id: its safe characters, then a digest so ids differing only in others do not meet.</summary>
    public string JournalPath(string examId)
    {
        var safe = new string([.. examId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.').Take(64)]);
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(examId)))[..12];
        return Path.Combine(Path.GetFullPath(folder), $"{safe}-{digest}.sqlite");
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var coordinator in _open.Values) coordinator.Dispose();
            _open.Clear();
        }
    }
}
