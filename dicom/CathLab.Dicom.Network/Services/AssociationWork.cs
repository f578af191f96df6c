using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services;

/// <summary>
/// Runs one piece of work on an association that the caller opened and hands over: released (A-RELEASE) when the work
/// ends normally, aborted (A-ABORT) when it throws or is cancelled, since the peer may then be in the middle of a message.
/// A release that fails after the work is done does not undo the work's result.
/// </summary>
internal static class AssociationWork
{
    public static async Task<T> RunAsync<T>(DicomAssociation association, Func<DimseChannel, Task<T>> work, CancellationToken cancellation)
    {
        await using (association.ConfigureAwait(false))
        {
            T result;
            try
            {
                result = await work(new DimseChannel(association)).ConfigureAwait(false);
            }
            catch
            {
                await association.AbortAsync(AbortReason.NotSpecified).ConfigureAwait(false);
                throw;
            }
            try
            {
                await association.ReleaseAsync(cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DicomNetworkException or OperationCanceledException)
            {
                await association.AbortAsync(AbortReason.NotSpecified).ConfigureAwait(false);
            }
            return result;
        }
    }
}
