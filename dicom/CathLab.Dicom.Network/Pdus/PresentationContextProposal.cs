namespace CathLab.Dicom.Network.Pdus;

/// <summary>One presentation context offered in an A-ASSOCIATE-RQ: an abstract syntax and the transfer syntaxes the requestor can use for it.</summary>
public sealed record PresentationContextProposal(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);
