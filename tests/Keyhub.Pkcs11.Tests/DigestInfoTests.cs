using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Keyhub.Pkcs11.Tests;

public sealed class DigestInfoTests
{
    [Theory]
    [InlineData("SHA256", "2.16.840.1.101.3.4.2.1")]
    [InlineData("SHA384", "2.16.840.1.101.3.4.2.2")]
    [InlineData("SHA512", "2.16.840.1.101.3.4.2.3")]
    public void The_digest_info_is_the_der_structure_of_rfc_8017(string hashName, string oid)
    {
        var hash = new HashAlgorithmName(hashName);
        var digest = RandomNumberGenerator.GetBytes(HashLength(hash));
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(oid);
                writer.WriteNull();
            }

            writer.WriteOctetString(digest);
        }

        Assert.Equal(writer.Encode(), DigestInfo.Build(hash, digest));
    }

    [Fact]
    public void Other_hashes_and_wrong_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => DigestInfo.Build(HashAlgorithmName.SHA1, new byte[20]));
        Assert.Throws<ArgumentException>(() => DigestInfo.Build(HashAlgorithmName.SHA256, new byte[31]));
    }

    private static int HashLength(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA256" => 32,
        "SHA384" => 48,
        _ => 64,
    };
}
