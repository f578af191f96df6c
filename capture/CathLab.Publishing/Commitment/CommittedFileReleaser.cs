using CathLab.Publishing.Journal;
using Microsoft.Extensions.Logging;

namespace CathLab.Publishing.Commitment;

/// <summary>
/// Lets go of files that every destination has committed: deletes them (unless files are kept) and then marks them
/// released. A kill between the two leaves a released-looking file unmarked; the next pass deletes nothing and marks it.
/// </summary>
internal sealed class CommittedFileReleaser(OutboxJournal journal, bool keepFiles, ILogger logger)
{
    private readonly Lock _gate = new();

    public int ReleaseCommitted()
    {
        lock (_gate)
        {
            var released = 0;
            foreach (var (id, path) in journal.CommittedEverywhere())
            {
                if (!keepFiles)
                {
                    try
                    {
                        File.Delete(path);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        logger.LogWarning("cannot delete committed object {Path}: {Error}; will try again", path, e.Message);
                        continue;
                    }
                }
                journal.MarkFileReleased(id);
                released++;
            }
            return released;
        }
    }
}
