using CathLab.Acquisition.Fluoro;

namespace CathLab.Station.Exam;

/// <summary>The station's fluoro loop (the last seconds of fluoro kept for "save the last N seconds"); <see cref="Store"/>
/// is null when Station:FluoroStoreSeconds is 0 and the loop is off.</summary>
public sealed record FluoroLoop(FluoroLoopStore? Store);
