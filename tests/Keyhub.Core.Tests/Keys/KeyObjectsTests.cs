using System.Security.Cryptography;
using Keyhub.Core.Keys;

namespace Keyhub.Core.Tests.Keys;

public sealed class KeyObjectsTests
{
    [Fact]
    public void The_same_material_reuses_its_imported_object_once_it_is_returned()
    {
        var key = TestKeys.Rsa();
        RSA first;
        using (var lease = KeyObjects.Rsa(key, includePrivate: true))
        {
            first = lease.Key;
        }

        using var again = KeyObjects.Rsa(TestKeys.Rsa(), includePrivate: true);

        Assert.Same(first, again.Key);
    }

    [Fact]
    public void Concurrent_leases_of_one_key_get_distinct_objects()
    {
        var key = TestKeys.Ec(Curves.P256);
        using var one = KeyObjects.Ecdsa(key, includePrivate: true);
        using var two = KeyObjects.Ecdsa(key, includePrivate: true);

        Assert.NotSame(one.Key, two.Key);
    }

    [Fact]
    public void A_public_lease_never_hands_out_an_object_holding_the_private_key()
    {
        var key = TestKeys.Rsa();
        using (KeyObjects.Rsa(key, includePrivate: true))
        {
        }

        using var lease = KeyObjects.Rsa(key, includePrivate: false);

        Assert.ThrowsAny<CryptographicException>(() => lease.Key.ExportParameters(includePrivateParameters: true));
    }

    [Fact]
    public void Different_material_with_the_same_public_half_gets_its_own_object()
    {
        var key = TestKeys.Ec(Curves.P256);
        var other = key with { D = RandomNumberGenerator.GetBytes(32) };
        using var lease = KeyObjects.Ecdsa(key, includePrivate: true);
        var kept = lease.Key;
        lease.Dispose();

        // Whether or not .NET accepts the mismatched pair, it must not be served the pooled object.
        try
        {
            using var mismatched = KeyObjects.Ecdsa(other, includePrivate: true);
            Assert.NotSame(kept, mismatched.Key);
        }
        catch (CryptographicException)
        {
        }
    }

    [Fact]
    public void Leases_of_many_keys_keep_working_past_the_pool_bound()
    {
        var digest = SHA256.HashData("keyhub"u8);
        for (var i = 0; i < 600; i++)
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var p = ec.ExportParameters(includePrivateParameters: true);
            var material = new KeyMaterial { Kty = KeyTypes.Ec, Crv = Curves.P256, X = p.Q.X, Y = p.Q.Y, D = p.D };
            using var lease = KeyObjects.Ecdsa(material, includePrivate: true);
            Assert.True(ec.VerifyHash(digest, lease.Key.SignHash(digest)));
        }
    }
}
