namespace CathLab.Security.Access;

/// <summary>The role each gRPC method needs, by full method name ("/package.Service/Method") or service prefix
/// ("/package.Service/"). A method named nowhere needs a technician: observers can call only what is opened
/// to them, so a control service added to the same host later is closed to them by default.</summary>
public sealed class MethodPolicy
{
    private readonly Dictionary<string, StationRole> _rules = new(StringComparer.Ordinal);

    public MethodPolicy()
    {
        Require("/cathlab.livefeed.v1.LiveFeed/", StationRole.Observer);
        Require("/cathlab.livefeed.v1.LiveFeedControl/", StationRole.Technician);
    }

    public MethodPolicy Require(string methodOrServicePrefix, StationRole role)
    {
        _rules[methodOrServicePrefix] = role;
        return this;
    }

    public StationRole RoleFor(string method)
    {
        if (_rules.TryGetValue(method, out var role)) return role;
        int slash = method.LastIndexOf('/');
        if (slash > 0 && _rules.TryGetValue(method[..(slash + 1)], out role)) return role;
        return StationRole.Technician;
    }
}
