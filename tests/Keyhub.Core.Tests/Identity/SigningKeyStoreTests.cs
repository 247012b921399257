using System.Security.Cryptography;
using Keyhub.Core.Identity;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;

namespace Keyhub.Core.Tests.Identity;

public sealed class SigningKeyStoreTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Signing_key_is_created_once_and_the_same_key_is_returned_afterwards()
    {
        using var deployment = await TestDeployment.StartAsync();
        var keys = new SigningKeyStore(deployment.Store, deployment.Seal, deployment.Time);

        using var first = await keys.EnsureAsync(Ct);
        using var second = await keys.EnsureAsync(Ct);

        Assert.Equal(first.KeyId, second.KeyId);
        Assert.Equal(first.Key.ExportSubjectPublicKeyInfo(), second.Key.ExportSubjectPublicKeyInfo());
        Assert.Equal("1.2.840.10045.3.1.7", first.Key.ExportParameters(false).Curve.Oid.Value);
    }

    [Fact]
    public async Task Private_key_is_not_stored_in_the_clear()
    {
        using var deployment = await TestDeployment.StartAsync();
        using var key = await new SigningKeyStore(deployment.Store, deployment.Seal, deployment.Time).EnsureAsync(Ct);

        var record = await deployment.Store.GetAsync(new RecordKey(SystemVault.Name, "signingkey", "current", ""), Ct);

        Assert.NotNull(record);
        var d = key.Key.ExportParameters(includePrivateParameters: true).D!;
        Assert.Equal(-1, record.Payload.AsSpan().IndexOf(d));
        Assert.Equal(-1, record.Payload.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(Convert.ToBase64String(d))));
        Assert.Equal(-1, record.Payload.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(key.KeyId)));
        Assert.True(key.Key.VerifyData("x"u8, key.Key.SignData("x"u8, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
    }
}
