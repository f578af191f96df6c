using CathLab.Dicom.Network.Services;
using CathLab.Workflow.ProcedureStep;

namespace CathLab.Workflow;

/// <summary>Who the station is in the hospital's scheduled workflow and whom it talks to there: the Modality Worklist
/// provider (null: exams are started by hand) and the receiver of performed procedure steps (null: no MPPS is sent).</summary>
public sealed record RisPeers(PerformingStation Station, DicomPeer? Worklist, DicomPeer? Mpps);
