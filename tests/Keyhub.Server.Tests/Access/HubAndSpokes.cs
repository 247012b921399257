namespace Keyhub.Server.Tests.Access;

/// <summary>
/// The deployment the isolation tests share: two spokes made through the management API, each delegated to
/// its team's group; a principal holding nothing but Owner at <c>/</c> (SecOps); and one world of data in
/// each of hub, spoke A and spoke B, made by that vault's administrator.
/// </summary>
internal sealed record HubAndSpokes(
    Spoke A,
    Spoke B,
    TestPrincipal Owner,
    IReadOnlyDictionary<string, (Uri Vault, DataClient Admin, DataWorld World)> Vaults)
{
    public static Task<HubAndSpokes> OfAsync(AccessServer fixture) => fixture.OnceAsync("hub-and-spokes", async () =>
    {
        var a = await fixture.CreateSpokeAsync("spoke-a");
        var b = await fixture.CreateSpokeAsync("spoke-b");
        var owner = await fixture.CreatePrincipalAsync("secops-owner");
        await fixture.AssignAsync(owner.ObjectId, "Owner", "/");
        var hubAdmin = await fixture.HubAdminAsync();
        var aAdmin = await fixture.DataAsync(a.Uri, a.Team);
        var bAdmin = await fixture.DataAsync(b.Uri, b.Team);
        var vaults = new Dictionary<string, (Uri, DataClient, DataWorld)>(StringComparer.Ordinal)
        {
            ["hub"] = (fixture.Server.VaultUri, hubAdmin, await DataWorld.PrepareAsync(hubAdmin, "iso-hub")),
            ["spoke A"] = (a.Uri, aAdmin, await DataWorld.PrepareAsync(aAdmin, "iso-a")),
            ["spoke B"] = (b.Uri, bAdmin, await DataWorld.PrepareAsync(bAdmin, "iso-b")),
        };
        return new HubAndSpokes(a, b, owner, vaults);
    });

    public TestPrincipal Principal(string who) => who switch
    {
        "team A" => A.Team,
        "team B" => B.Team,
        "SecOps Owner" => Owner,
        _ => throw new ArgumentOutOfRangeException(nameof(who), who, null),
    };
}
