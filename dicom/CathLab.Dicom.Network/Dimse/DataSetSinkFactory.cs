namespace CathLab.Dicom.Network.Dimse;

/// <summary>
/// Chooses where an incoming data set goes once its command has arrived (for C-STORE: a file on disk).
/// Returning null keeps the data set in memory, which suits the small data sets of C-FIND and N-services.
/// The returned stream is positioned at its start again only when it is the in-memory default.
/// </summary>
public delegate Stream? DataSetSinkFactory(byte contextId, string transferSyntax, CommandSet command);
