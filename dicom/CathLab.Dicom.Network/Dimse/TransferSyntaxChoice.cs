namespace CathLab.Dicom.Network.Dimse;

/// <summary>The usual acceptor rule: the first of our preferred transfer syntaxes that the requestor offered.</summary>
public static class TransferSyntaxChoice
{
    public static string? FirstPreferred(IReadOnlyList<string> preferred, IReadOnlyList<string> offered) =>
        preferred.FirstOrDefault(offered.Contains);
}
